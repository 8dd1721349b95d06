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
