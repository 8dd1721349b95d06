#!/usr/bin/env node
// Records the real kernel's verdict on programs that exercise the verifier's structural passes
// (subprograms, jump ranges, opcodes, ld_imm64, reachability) into
// test/verifier/golden/structure.json. Needs root, bpf() and a built dist/ (npm run build).
// Run from the repository root: node scripts/verifier/record-structure-golden.mjs
import { spawnSync } from "node:child_process";
import { writeFileSync, mkdirSync } from "node:fs";
import { release } from "node:os";
import { assemble } from "../../dist/asm/index.js";
import { encodeProgram } from "../../dist/isa/encode.js";
import { insn } from "../../dist/isa/insn.js";

const X = (code, dst = 0, src = 0, off = 0, imm = 0) => insn(code, dst, src, off, imm);
const EXIT = X(0x95);
const R0 = X(0xb7);
const raw = (...insns) => insns.flat();
const asm = (text) => assemble(text);

// [name, program] — asm text where the assembler can express it, raw slots otherwise
const CORPUS = [
  ["minimal", asm("r0 = 0\nexit")],
  ["unknown_opcode_ff", raw(R0, X(0xff), EXIT)],
  ["unknown_opcode_callx", raw(X(0xb7, 2, 0, 0, 5), X(0x8d, 2), EXIT)],
  ["unknown_opcode_jmp32_call", raw(X(0x86), R0, EXIT)],
  ["unknown_opcode_alu_neg_x", raw(R0, X(0x8c, 0, 1), EXIT)],
  ["unknown_opcode_alu64_end_x", raw(R0, X(0xdf, 0, 0, 0, 16), EXIT)],
  ["unknown_opcode_ldx_memsx_dw", raw(X(0x99, 0, 10, -8), EXIT)],
  ["unknown_opcode_e0", raw(R0, X(0xe7), EXIT)],
  ["truncated_lddw", raw(R0, EXIT, X(0x18, 1, 0, 0, 5))],
  ["lddw_bad_second_slot", raw(X(0x18, 1, 0, 0, 5), X(0x07), R0, EXIT)],
  ["lddw_second_slot_dst", raw(X(0x18, 1, 0, 0, 5), X(0, 1), R0, EXIT)],
  ["lddw_pseudo_src_7", raw(X(0x18, 1, 7, 0, 3), X(0), R0, EXIT)],
  ["lddw_map_fd_next_imm", raw(X(0x18, 1, 1, 0, 3), X(0, 0, 0, 0, 1), R0, EXIT)],
  ["lddw_map_fd_invalid", raw(X(0x18, 1, 1, 0, 3), X(0), R0, EXIT)],
  ["lddw_map_idx_without_fd_array", raw(X(0x18, 1, 5, 0, 3), X(0), R0, EXIT)],
  ["lddw_func_out_of_range", raw(X(0x18, 1, 4, 0, 30), X(0), R0, EXIT)],
  ["jump_out_of_range_forward", asm("goto +5\nr0 = 0\nexit")],
  ["jump_out_of_range_backward", asm("goto -5\nr0 = 0\nexit")],
  ["gotol_out_of_range", asm("gotol +100\nr0 = 0\nexit")],
  ["cond_jump_out_of_range", asm("r0 = 0\nif r0 == 0 goto +7\nexit")],
  ["last_insn_not_exit", asm("r0 = 0\nexit\nr0 = 0")],
  ["last_insn_goto_is_fine_but_loops", asm("r0 = 0\nexit\ngoto -1")],
  ["call_invalid_destination", raw(X(0x85, 0, 1, 0, 10), R0, EXIT)],
  ["call_negative_destination", raw(R0, X(0x85, 0, 1, 0, -5), EXIT)],
  ["cross_subprog_jump", raw(X(0x85, 0, 1, 0, 2), R0, EXIT, X(0x05, 0, 0, -3), EXIT)],
  ["subprog_last_not_exit", raw(X(0x85, 0, 1, 0, 1), EXIT, R0, X(0x85, 0, 1, 0, 0), R0, EXIT)],
  ["subprog_ok", asm("r1 = 1\ncall pc+1\nexit\nr0 = r1\nexit")],
  ["unreachable_after_exit", asm("r0 = 0\nexit\nr0 = 0\nexit")],
  ["unreachable_dead_branch_target", asm("r0 = 0\ngoto +1\nr0 = 1\nexit")],
  ["unreachable_subprog_tail", raw(X(0x85, 0, 1, 0, 1), EXIT, R0, EXIT, R0, EXIT)],
  ["jump_into_lddw", raw(X(0x05, 0, 0, 1), X(0x18, 0, 0, 0, 5), X(0), EXIT)],
  ["jump_into_lddw_conditional", raw(X(0x15, 1, 0, 1, 0), X(0x18, 0, 0, 0, 5), X(0), EXIT)],
  ["ldx_reserved_imm", raw(X(0x79, 0, 10, -8, 1), EXIT)],
  ["ldx_reserved_and_jump_out", raw(X(0x05, 0, 0, 9), X(0x79, 0, 10, -8, 1), EXIT)],
  ["unknown_and_last_not_exit", raw(X(0xff), R0)],
  ["unknown_and_jump_out", raw(X(0x05, 0, 0, 9), X(0xff), EXIT)],
  ["unknown_and_unreachable", raw(R0, EXIT, X(0xff), EXIT)],
  ["call_dest_and_unknown", raw(X(0x85, 0, 1, 0, 10), X(0xff), EXIT)],
  ["bad_lddw_and_unreachable", raw(R0, EXIT, X(0x18, 1, 0, 0, 5), X(0x07), EXIT)],
  ["bounded_loop_back_edge", asm("r0 = 0\nr1 = 3\nloop:\nr0 += 1\nr1 -= 1\nif r1 != 0 goto loop\nexit")],
  ["exit_reserved_fields", raw(R0, X(0x95, 1))],
  ["mov_reserved_fields", raw(X(0xb7, 0, 3), EXIT)],
  ["r11_destination", raw(X(0xb7, 11), EXIT)],
  ["exit_without_r0", asm("exit")],
  ["helper_call_ok", asm("call bpf_ktime_get_ns#5\nexit")],
  ["conditional_both_reachable", asm("r0 = 0\nif r1 == 0 goto +1\nr0 = 1\nexit")],
];

// Families of programs past the structural passes, for path exploration (do_check): each is
// recorded with the kernel's verdict now, and must pass the structural checks unchanged.
const sizes = [["u8", 1], ["u16", 2], ["u32", 4], ["u64", 8]];
for (const [t, n] of sizes) {
  for (const off of [-520, -513, -512, -511, -16, -8, -7, -4, -2, -1, 0, 8]) {
    CORPUS.push([`stack_write_${t}_${off}`, asm(`*(${t} *)(r10 ${off < 0 ? "-" : "+"} ${Math.abs(off)}) = 0\nr0 = 0\nexit`)]);
  }
  for (const off of [-512, -8, -4]) {
    CORPUS.push([`stack_read_uninit_${t}_${off}`, asm(`r0 = *(${t} *)(r10 - ${Math.abs(off)})\nexit`)]);
    CORPUS.push([`stack_read_init_${t}_${off}`, asm(`*(u64 *)(r10 - ${Math.max(8, Math.abs(off))}) = 1\nr0 = *(${t} *)(r10 - ${Math.abs(off)})\nexit`)]);
  }
  for (const off of [0, 4, 16, 24, 36, 48, 76, 80, 96, 140, 168, 200, 1000]) {
    CORPUS.push([`ctx_read_${t}_${off}`, asm(`r0 = *(${t} *)(r1 + ${off})\nexit`)]);
  }
  CORPUS.push([`ctx_write_${t}_48`, asm(`*(${t} *)(r1 + 48) = 0\nr0 = 0\nexit`)]);
}
for (const w of ["r", "w"]) {
  for (const op of ["/=", "%=", "s/=", "s%="]) CORPUS.push([`div_by_zero_${w}_${op}`, asm(`${w}0 = 7\n${w}0 ${op} 0\nexit`)]);
  for (const op of ["/=", "%="]) CORPUS.push([`div_by_zero_reg_${w}_${op}`, asm(`${w}0 = 7\n${w}1 = 0\n${w}0 ${op} ${w}1\nexit`)]);
  for (const k of [0, 31, 32, 63, 64, -1]) {
    for (const op of ["<<=", ">>=", "s>>="]) CORPUS.push([`shift_${w}_${op}_${k}`, asm(`${w}0 = 1\n${w}0 ${op} ${k}\nexit`)]);
  }
}
for (let r = 0; r <= 9; r++) if (r !== 1) CORPUS.push([`uninit_read_r${r}`, asm(`r0 = 0\nr0 += r${r}\nexit`)]);
CORPUS.push(["write_r10", asm("r10 = 0\nr0 = 0\nexit")]);
CORPUS.push(["r10_add", asm("r10 += 8\nr0 = 0\nexit")]);
for (const op of ["+=", "-=", "*=", "/=", "|=", "&=", "<<=", "^="]) CORPUS.push([`ctx_ptr_arith_${op}`, asm(`r1 ${op} 8\nr0 = *(u32 *)(r1 + 0)\nexit`)]);
CORPUS.push(["ptr_plus_ptr", asm("r2 = r10\nr2 += r1\nr0 = 0\nexit")]);
CORPUS.push(["ctx_load_via_copy", asm("r2 = r1\nr0 = *(u32 *)(r2 + 0)\nexit")]);
CORPUS.push(["scalar_deref", asm("r1 = 0\nr0 = *(u64 *)(r1 + 0)\nexit")]);
CORPUS.push(["stack_ptr_deref_var_off", asm("r2 = r10\nr3 = *(u32 *)(r1 + 0)\nr2 += r3\nr0 = *(u8 *)(r2 - 1)\nexit")]);
for (const id of [0, 1, 5, 6, 7, 8, 14, 26, 44, 113, 131, 211, 212, 999]) CORPUS.push([`helper_${id}`, asm(`r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall ${id}\nr0 = 0\nexit`)]);
CORPUS.push(["infinite_loop", asm("r0 = 0\nloop:\ngoto loop\nexit")]);
CORPUS.push(["infinite_loop_cond", asm("r0 = 0\nloop:\nif r0 == 0 goto loop\nexit")]);
for (const n of [1, 8, 64, 1000, 100000]) CORPUS.push([`bounded_loop_${n}`, asm(`r0 = 0\nr1 = ${n}\nloop:\nr0 += 1\nr1 -= 1\nif r1 != 0 goto loop\nexit`)]);
CORPUS.push(["nested_calls_8", raw(...Array.from({ length: 8 }, () => [X(0x85, 0, 1, 0, 0)]).flat(), R0, EXIT)]);
CORPUS.push(["bpf_to_bpf_ok", asm("r1 = 5\ncall pc+2\nr0 += 1\nexit\nr0 = r1\nexit")]);
CORPUS.push(["bpf_to_bpf_callee_reads_r6", asm("r6 = 5\ncall pc+2\nr0 = 0\nexit\nr0 = r6\nexit")]);
CORPUS.push(["atomic_on_stack", asm("*(u64 *)(r10 - 8) = 1\nr1 = 2\nlock *(u64 *)(r10 - 8) += r1\nr0 = *(u64 *)(r10 - 8)\nexit")]);
CORPUS.push(["atomic_on_ctx", asm("r2 = 1\nlock *(u32 *)(r1 + 0) += r2\nr0 = 0\nexit")]);
CORPUS.push(["lddw_const", asm("r0 = 0x1122334455667788 ll\nexit")]);
CORPUS.push(["movsx_ok", asm("r1 = 0x80\nr0 = (s8)r1\nexit")]);
CORPUS.push(["bswap_ok", asm("r0 = 0x1122\nr0 = bswap16 r0\nexit")]);
CORPUS.push(["sdiv_ok", asm("r0 = -7\nr0 s/= 2\nexit")]);
CORPUS.push(["gotol_ok", asm("r0 = 0\ngotol +1\nr0 = 1\nexit")]);

const hex = (insns) => Buffer.from(encodeProgram(insns)).toString("hex");
const reqs = CORPUS.map(([name, insns]) => JSON.stringify({ id: name, code: hex(insns), type: "socket_filter" }));
const res = spawnSync("python3", ["../shared/tools/kbpf.py", "batch"], { input: reqs.join("\n") + "\n", encoding: "utf8" });
if (res.status !== 0) throw new Error(res.stderr);
const rows = res.stdout.trim().split("\n").map((l) => JSON.parse(l)).map((r, i) => ({
  ...(r.exception !== undefined ? { exception: r.exception } : {}),
  name: r.id,
  hex: hex(CORPUS[i][1]),
  accepted: r.ok === true,
  errno: r.ok ? null : r.errno,
  error: r.ok ? null : r.error,
}));
mkdirSync("test/verifier/golden", { recursive: true });
writeFileSync("test/verifier/golden/structure.json", JSON.stringify({ kernel: release(), prog_type: "socket_filter", rows }, null, 1) + "\n");
console.log(`recorded ${rows.length} programs`);
