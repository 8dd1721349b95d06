// The programs of test/verifier/rodata.test.ts: loads from frozen, program-read-only array maps
// (libbpf's .rodata) that Linux reads as constants. Each program branches on the loaded value
// and, on the branch the constant makes dead, reads the stack out of bounds: the kernel accepts
// it only when it knew the value. Recorded against Linux 6.18 with the maps created with the
// flags below, `init_hex` written to key 0 and BPF_MAP_FREEZE applied when `freeze`.

/** BPF_F_RDONLY_PROG */
export const RDONLY_PROG = 0x80;

const BAD = "r0 = *(u64 *)(r10 + 8)";
const rodata = (init_hex, extra = {}) => ({ type: "array", key_size: 4, value_size: 16, max_entries: 1, flags: RDONLY_PROG, init_hex, freeze: true, ...extra });
/** r0 = the map value pointer of map 0 through a lookup of key 0 */
const LOOKUP = ["*(u32 *)(r10 - 4) = 0", "r2 = r10", "r2 += -4", "r1 = map[id:0]", "call 1", "if r0 == 0 goto out"];
/** `load`, then the bad read unless the loaded r2 equals `cmp` */
const guarded = (load, cmp, pre = []) => [...pre, load, ...(typeof cmp === "string" && cmp.endsWith("ll") ? [`r3 = ${cmp}`, "if r2 == r3 goto out"] : [`if r2 == ${cmp} goto out`]), BAD, "out:", "r0 = 0", "exit"];
const VAL = "r1 = map[id:0][0]+0";

/** Every case: { name, maps: [{ type, key_size, value_size, max_entries, flags, init_hex, freeze }], asm: string[] }. */
export function rodataCases() {
  const bytes = "00000000ff0180050000008088776655";
  return [
    { name: "u32 zero, frozen rdonly", maps: [rodata("00".repeat(16))], asm: guarded("r2 = *(u32 *)(r1 + 0)", 0, [VAL]) },
    { name: "u32 zero, not frozen", maps: [rodata("00".repeat(16), { freeze: false })], asm: guarded("r2 = *(u32 *)(r1 + 0)", 0, [VAL]) },
    { name: "u32 zero, frozen without BPF_F_RDONLY_PROG", maps: [rodata("00".repeat(16), { flags: 0 })], asm: guarded("r2 = *(u32 *)(r1 + 0)", 0, [VAL]) },
    { name: "u32 wrong guess", maps: [rodata(bytes)], asm: guarded("r2 = *(u32 *)(r1 + 0)", 1, [VAL]) },
    { name: "u8 zero-extended", maps: [rodata(bytes)], asm: guarded("r2 = *(u8 *)(r1 + 4)", 255, [VAL]) },
    { name: "s8 sign-extended", maps: [rodata(bytes)], asm: guarded("r2 = *(s8 *)(r1 + 4)", -1, [VAL]) },
    { name: "u16 zero-extended", maps: [rodata(bytes)], asm: guarded("r2 = *(u16 *)(r1 + 6)", 0x0580, [VAL]) },
    { name: "s16 of a positive value", maps: [rodata(bytes)], asm: guarded("r2 = *(s16 *)(r1 + 6)", 0x0580, [VAL]) },
    { name: "u16 at an odd offset", maps: [rodata(bytes)], asm: guarded("r2 = *(u16 *)(r1 + 5)", 0x8001, [VAL]) },
    { name: "s16 at an odd offset", maps: [rodata(bytes)], asm: guarded("r2 = *(s16 *)(r1 + 5)", -32767, [VAL]) },
    { name: "u32 high bit", maps: [rodata(bytes)], asm: guarded("r2 = *(u32 *)(r1 + 8)", "0x80000000 ll", [VAL]) },
    { name: "s32 high bit", maps: [rodata(bytes)], asm: guarded("r2 = *(s32 *)(r1 + 8)", -2147483648, [VAL]) },
    { name: "u64", maps: [rodata(bytes)], asm: guarded("r2 = *(u64 *)(r1 + 8)", "0x5566778880000000 ll", [VAL]) },
    { name: "pointer offset from ld_imm64", maps: [rodata(bytes)], asm: guarded("r2 = *(u16 *)(r1 + 2)", 0x0580, ["r1 = map[id:0][0]+4"]) },
    { name: "constant offset added from a register", maps: [rodata(bytes)], asm: guarded("r2 = *(u8 *)(r1 + 0)", 5, [VAL, "r4 = 7", "r1 += r4"]) },
    { name: "variable offset", maps: [rodata("00".repeat(16))], asm: guarded("r2 = *(u8 *)(r1 + 0)", 0, ["call 7", "r0 &= 4", VAL, "r1 += r0"]) },
    { name: "offset past the value", maps: [rodata("00".repeat(16))], asm: guarded("r2 = *(u32 *)(r1 + 14)", 0, [VAL]) },
    { name: "through a lookup", maps: [rodata(bytes)], asm: guarded("r2 = *(u8 *)(r0 + 4)", 255, LOOKUP) },
    { name: "through a lookup, two elements", maps: [rodata(bytes, { max_entries: 2 })], asm: guarded("r2 = *(u8 *)(r0 + 4)", 255, LOOKUP) },
    { name: "percpu array", maps: [rodata(bytes, { type: "percpu_array" })], asm: guarded("r2 = *(u8 *)(r0 + 4)", 255, LOOKUP) },
    { name: "hash", maps: [rodata(bytes, { type: "hash" })], asm: guarded("r2 = *(u8 *)(r0 + 4)", 255, LOOKUP) },
    { name: "write refused", maps: [rodata(bytes)], asm: [VAL, "*(u32 *)(r1 + 0) = 1", "r0 = 0", "exit"] },
  ];
}

/** r3 = a map value of map 0 through a lookup of key 0, null-checked unless `unchecked` */
const lookupR3 = (unchecked = false) => ["*(u32 *)(r10 - 4) = 0", "r2 = r10", "r2 += -4", "r1 = map[id:0]", "call 1", ...(unchecked ? [] : ["if r0 == 0 goto out"]), "r3 = r0"];
/** bpf_snprintf(fp-16, 16, r3, data, len): its format argument is ARG_PTR_TO_CONST_STR; no data by default */
const snprintf = (pre, data = ["r4 = 0", "r5 = 0"]) => [...pre, "r1 = r10", "r1 += -16", "r2 = 16", ...data, "call 165", "out:", "r0 = 0", "exit"];
const hexOf = (s, size) => Buffer.concat([Buffer.from(s, "latin1"), Buffer.alloc(size - s.length)]).toString("hex");
const fmtMap = (s, extra = {}) => rodata(hexOf(s, 8), { value_size: 8, ...extra });
const R3 = "r3 = map[id:0][0]+0";

/** ARG_PTR_TO_CONST_STR (check_reg_const_str) through bpf_snprintf's format: { name, maps, asm }. */
export function constStrCases() {
  return [
    { name: "const_str in frozen rdonly map", maps: [fmtMap("hi\0")], asm: snprintf([R3]) },
    { name: "const_str at an offset", maps: [fmtMap("ab\0hi\0")], asm: snprintf(["r3 = map[id:0][0]+3"]) },
    { name: "const_str offset added from a register", maps: [fmtMap("ab\0hi\0")], asm: snprintf([R3, "r4 = 3", "r3 += r4"]) },
    { name: "const_str not frozen", maps: [fmtMap("hi\0", { freeze: false })], asm: snprintf([R3]) },
    { name: "const_str without BPF_F_RDONLY_PROG", maps: [fmtMap("hi\0", { flags: 0 })], asm: snprintf([R3]) },
    { name: "const_str not zero-terminated", maps: [fmtMap("abcdefgh")], asm: snprintf([R3]) },
    { name: "const_str terminated before the pointer only", maps: [fmtMap("a\0cdefgh")], asm: snprintf(["r3 = map[id:0][0]+2"]) },
    { name: "const_str at the last byte", maps: [fmtMap("abcdefg\0")], asm: snprintf(["r3 = map[id:0][0]+7"]) },
    { name: "const_str variable offset", maps: [fmtMap("\0\0\0\0")], asm: snprintf(["call 7", "r0 &= 1", R3, "r3 += r0"]) },
    { name: "const_str on the stack", maps: [], asm: snprintf(["*(u64 *)(r10 - 24) = 0", "r3 = r10", "r3 += -24"]) },
    { name: "const_str scalar", maps: [], asm: snprintf(["r3 = 0"]) },
    { name: "const_str through a lookup", maps: [fmtMap("hi\0")], asm: snprintf(lookupR3()) },
    { name: "const_str hash lookup, not null-checked", maps: [fmtMap("hi\0", { type: "hash" })], asm: snprintf(lookupR3(true)) },
    { name: "const_str two-element array", maps: [fmtMap("hi\0", { max_entries: 2 })], asm: snprintf(lookupR3()) },
    { name: "const_str percpu array", maps: [fmtMap("hi\0", { type: "percpu_array" })], asm: snprintf(lookupR3()) },
    { name: "const_str hash", maps: [fmtMap("hi\0", { type: "hash" })], asm: snprintf(lookupR3()) },
    { name: "snprintf bad conversion", maps: [fmtMap("%z\0")], asm: snprintf([R3]) },
    { name: "snprintf more conversions than arguments", maps: [fmtMap("%d\0")], asm: snprintf([R3]) },
    { name: "snprintf conversions with arguments", maps: [fmtMap("%d %s\0")], asm: snprintf(["*(u64 *)(r10 - 24) = 0", "*(u64 *)(r10 - 32) = 0", R3], ["r4 = r10", "r4 += -32", "r5 = 16"]) },
    { name: "snprintf data size not a multiple of 8", maps: [fmtMap("%d\0")], asm: snprintf(["*(u64 *)(r10 - 24) = 0", "*(u64 *)(r10 - 32) = 0", R3], ["r4 = r10", "r4 += -32", "r5 = 12"]) },
  ];
}
