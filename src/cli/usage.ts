// Every command's usage, apart from the commands themselves: `wabpf --help` and
// `wabpf COMMAND --help` print them without loading the verifier, the JIT or the kernel.
import { WORKLOAD_NAMES } from "../kernel/workloads.js";
import { PROG_TYPES } from "../verifier/types.js";

export const ASM_USAGE = "wabpf asm FILE [-o OUT.bin]";

export const DISASM_USAGE = "wabpf disasm FILE [--syntax kernel|conformance]";

export const BENCH_USAGE = "wabpf bench trigger [--only V,V…] [--warmup SEC] [--samples N] [--quick] [--object trigger.o] [--json]";

export const CONFORMANCE_USAGE = "wabpf conformance DIR [--engine interp|jit] [--verify]";

export const MAP_USAGE = "wabpf map dump OBJECT.o [--map NAME]... [--run PROG[:CTX_HEX]]... [--repeat N] [--max-entries N] [--json]";

export const PLUGIN_USAGE = "wabpf plugin [MEMORY_HEX] [--engine interp|jit] [--elf] [--verify]";

export const RUN_USAGE = "wabpf run FILE [--section S] [--mem FILE | --mem-hex HEX] [--engine interp|jit] [--repeat N] [--json] [--no-verify]";

export const SERVE_USAGE = "wabpf serve [--port N] [--host H]";

export const SHOW_USAGE = "wabpf show OBJECT.o [--json]";

export const TRACE_USAGE = `wabpf trace OBJECT.o [--workload ${WORKLOAD_NAMES.join("|")}] [--rodata NAME=VALUE]... [--duration-ms N | --iterations N] [--cpus N] [--interval-ms N] [--json]`;

export const VERIFY_USAGE = `wabpf verify FILE [--section S] [--btf VMLINUX] [--rodata NAME=VALUE]... [--prog-type T] [--prog-flags N] [--map TYPE:KEYSZ:VALSZ:MAXENT[:FLAGS]]... [--log-level 0|1|2] [--explain] [--json] [--mem-size N]
wabpf verify --batch   (JSON lines on stdin: {"id","insns_hex","prog_type","prog_flags","license","maps":[{"type","key_size","value_size","max_entries","flags","init_hex","freeze"}]})
  An ld_imm64 with src_reg 1 (map fd) or 5 (map idx) and imm i refers to the i-th --map.
  Program types: ${PROG_TYPES.join(", ")}, and raw: what \`wabpf run\` runs (r1 = --mem-size bytes of
  memory, default the .data file's, r2 = that size), judged as Linux judges it under kbpf.py's
  map harness (an XDP program calling the body at instruction 8: instruction numbers are shifted by 8).
  FILE may be a clang-compiled object (.o): every program (or those of --section) is verified with
  its section's program type and the object's maps; --json prints one line per program. CO-RE
  relocations resolve against --btf (e.g. /sys/kernel/btf/vmlinux, as libbpf does), else the
  object's own BTF. .rodata and .kconfig are frozen as libbpf freezes them: the verifier reads
  their values as constants; --rodata sets a \`const volatile\` global first (a tool's option).
  --explain adds, for a rejected program, the shortest path to the failing instruction and the
  instructions the offending register's value came from (wabpf's, not the kernel's).
  Exit status: 0 accepted, 1 rejected, 2 unreadable input.`;
