#!/usr/bin/env bash
# Rebuild the committed ELF test fixtures from their C sources with a pinned clang.
# The suite uses the committed .o files, so `npm test` needs no clang.
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG=${CLANG:-clang-19}
for c in test/fixtures/elf/*.c; do
  "$CLANG" -O2 -g -target bpfel -mcpu=v3 -I/usr/include/x86_64-linux-gnu -c "$c" -o "${c%.c}.o"
  echo "built ${c%.c}.o"
done
# CO-RE / BTF fixtures (test/loader): the flags of issue 7, then bpftool's raw BTF dump as golden text.
for c in test/fixtures/core/*.c; do
  "$CLANG" -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$c" -o "${c%.c}.o"
  if command -v bpftool >/dev/null; then bpftool btf dump file "${c%.c}.o" format raw > "${c%.c}.btf.txt"; fi
  echo "built ${c%.c}.o"
done
# Object-loader fixtures (test/loader/object.test.ts): libbpf-style objects with maps and global data.
for c in test/fixtures/object/*.c; do
  "$CLANG" -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$c" -o "${c%.c}.o"
  echo "built ${c%.c}.o"
done
# Simulated-kernel tracing fixtures (test/kernel): fentry/fexit/fmod_ret and multi-link programs.
for c in test/fixtures/kernel/*.c; do
  "$CLANG" -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$c" -o "${c%.c}.o"
  echo "built ${c%.c}.o"
done
# Tracing-golden fixtures (test/verifier/tracing-golden.test.ts): tp_btf and iter programs on BTF-typed
# pointers, CO-RE against the running vmlinux; re-record with scripts/verifier/record-tracing-golden.mjs.
for c in test/fixtures/tracing/*.c; do
  "$CLANG" -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$c" -o "${c%.c}.o"
  echo "built ${c%.c}.o"
done
# Output fixtures (test/runtime/ringbuf-object.test.ts): RINGBUF and PERF_EVENT_ARRAY used the libbpf way.
for c in test/fixtures/ringbuf/*.c; do
  "$CLANG" -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$c" -o "${c%.c}.o"
  echo "built ${c%.c}.o"
done
# Probe fixtures (test/kernel/probes*.test.ts): kprobes and tracepoints, x86 and arm64 registers.
for c in test/fixtures/probes/*.c; do
  "$CLANG" -O2 -g -target bpf -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -c "$c" -o "${c%.c}.o"
  echo "built ${c%.c}.o"
done
"$CLANG" -O2 -g -target bpf -D__TARGET_ARCH_arm64 -I/usr/include/x86_64-linux-gnu -c test/fixtures/probes/probes.c -o test/fixtures/probes/probes-arm64.o
echo "built test/fixtures/probes/probes-arm64.o"
# The bench_trigger objects, package assets (src/assets/bpf, copied to dist/assets and web/assets by the build).
for c in src/assets/bpf/*.c; do
  "$CLANG" -O2 -g -target bpf -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -c "$c" -o "${c%.c}.o"
  echo "built ${c%.c}.o"
done
