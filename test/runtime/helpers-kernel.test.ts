import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/index.js";
import { RuntimeTrap, TrapKind } from "../../src/errors.js";
import type { RunOptions } from "../../src/exec/run.js";
import { encodeProgram } from "../../src/isa/encode.js";
import { runInterp } from "../../src/interp/index.js";
import { compileProgram } from "../../src/jit/index.js";
import { createMachine } from "../../src/runtime/machine.js";
import type { MapSpec } from "../../src/runtime/maps.js";
import { kernelUnavailableReason } from "../support/kbpf.js";
import { fnRefs } from "./fn-refs.js";
import { stackString } from "./helpers-support.js";

// The helpers against the real kernel: each program runs as a BPF_PROG_TYPE_SYSCALL program
// (loaded with BTF func_info, as callbacks need) through scripts/runtime/kernel_run.py, and in
// the interpreter and the JIT; the context it writes its results into (and the low 32 bits of
// r0, all BPF_PROG_TEST_RUN returns) must be the same.

const SCRIPT = fileURLToPath(new URL("../../scripts/runtime/kernel_run.py", import.meta.url));
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

interface KCase {
  readonly name: string;
  readonly src: string;
  readonly maps?: ReadonlyArray<MapSpec & { readonly type: string }>;
  readonly init?: ReadonlyArray<readonly [number, Uint8Array, Uint8Array]>;
  readonly ctx?: number;
  /** maps frozen after init (read-only constant strings) */
  readonly freeze?: readonly number[];
  /** the kernel's verifier refuses it (bpf_snprintf's format is checked at load); ours then returns -EINVAL */
  readonly refused?: boolean;
  /** program type in the kernel: syscall (default; results in the context) or xdp (r0 only) */
  readonly progType?: "syscall" | "xdp";
  /** programs put in PROG_ARRAY map slots: [map index, slot, source] */
  readonly tails?: ReadonlyArray<readonly [number, number, string]>;
}

/** A frozen BPF_F_RDONLY_PROG array holding `s` (what ARG_PTR_TO_CONST_STR requires), as map 0. */
const constStr = (s: string): Pick<KCase, "maps" | "init" | "freeze"> => {
  const v = new Uint8Array(64);
  v.set(new TextEncoder().encode(s));
  return { maps: [{ type: "array", keySize: 4, valueSize: 64, maxEntries: 1, flags: 128 }], init: [[0, u32(0), v]], freeze: [0] };
};

interface KResult {
  readonly id: string;
  readonly ok?: boolean;
  readonly error?: string;
  readonly retval?: number;
  readonly ctx_out?: string | null;
  readonly exception?: string;
  readonly pid?: number;
  readonly tgid?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly comm?: string;
}

function kernelRun(reqs: readonly object[]): KResult[] {
  const res = spawnSync("python3", [SCRIPT], { input: reqs.map((r) => JSON.stringify(r)).join("\n") + "\n", encoding: "utf8", maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`kernel_run.py failed (${res.status}): ${res.stderr}`);
  return res.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as KResult);
}

const u32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);
const u64 = (n: bigint): Uint8Array => new Uint8Array(new BigUint64Array([n]).buffer);

/** r6 = ctx; BODY leaves its result in r0 (and bytes in the 32-byte buffer at r10 - 224, prefilled with 0xff); ctx = r0, then the buffer */
const store = (body: string): string => `
  r6 = r1
  r1 = -1
  *(u64 *)(r10 - 224) = r1
  *(u64 *)(r10 - 216) = r1
  *(u64 *)(r10 - 208) = r1
  *(u64 *)(r10 - 200) = r1
  ${body}
  *(u64 *)(r6 + 0) = r0
  r1 = *(u64 *)(r10 - 224)
  *(u64 *)(r6 + 8) = r1
  r1 = *(u64 *)(r10 - 216)
  *(u64 *)(r6 + 16) = r1
  r1 = *(u64 *)(r10 - 208)
  *(u64 *)(r6 + 24) = r1
  r1 = *(u64 *)(r10 - 200)
  *(u64 *)(r6 + 32) = r1
  r0 = 0
  exit`;

const LOOP = (nr: string, stopAt: number, flags = 0): string => `
  r6 = r1
  r7 = 0
  *(u64 *)(r10 - 8) = r7
  r1 = ${nr} ll
  r2 = 0x7ff00000010 ll
  r3 = r10
  r3 += -8
  r4 = ${flags}
  call 181
  *(u64 *)(r6 + 0) = r0
  r1 = *(u64 *)(r10 - 8)
  *(u64 *)(r6 + 8) = r1
  r0 = 0
  exit
  r3 = *(u64 *)(r2 + 0)
  r3 *= 31
  r3 += r1
  *(u64 *)(r2 + 0) = r3
  r0 = 0
  if r1 != ${stopAt} goto +1
  r0 = 1
  exit`;

/** for_each(map 0, cb, &acc): acc = acc * 31 + key + *value (order-sensitive); r0 and acc to ctx */
const FOR_EACH = (stopKey: number, del: boolean): string => `
  r6 = r1
  r7 = 0
  *(u64 *)(r10 - 8) = r7
  r1 = map[id:0]
  r2 = 0x7ff00000010 ll
  r3 = r10
  r3 += -8
  r4 = 0
  call 164
  *(u64 *)(r6 + 0) = r0
  r1 = *(u64 *)(r10 - 8)
  *(u64 *)(r6 + 8) = r1
  r0 = 0
  exit
  r5 = *(u64 *)(r4 + 0)
  r5 *= 31
  r7 = *(u32 *)(r2 + 0)
  r5 += r7
  r8 = *(u64 *)(r3 + 0)
  r5 += r8
  *(u64 *)(r4 + 0) = r5
  ${del ? "call 3" : "r0 = 0"}
  r0 = 0
  if r7 != ${stopKey} goto +1
  r0 = 1
  exit`;

const PRINTK = (fmt: string, args: string[]): string => {
  const room = Math.ceil((new TextEncoder().encode(fmt).length + 1) / 8) * 8;
  return store(`
  ${stackString("str arg", 16 + room)}
  ${stackString(fmt, room)}
  r1 = r10
  r1 += -${room}
  r2 = ${new TextEncoder().encode(fmt).length + 1}
  ${args.map((a, i) => (a === "STR" ? `r${i + 3} = r10\n  r${i + 3} += -${16 + room}` : `r${i + 3} = ${a} ll`)).join("\n  ")}
  call 6`);
};

/** trace_vprintk(fmt on the stack, its size, u64 data on the stack (null: NULL), data_len) */
const VPRINTK = (fmt: string, data: Array<bigint | "STR"> | null, dataLen = (data ?? []).length * 8): string => {
  const room = Math.ceil((new TextEncoder().encode(fmt).length + 1) / 8) * 8;
  return store(`
  ${stackString("str arg", 16 + room)}
  ${stackString(fmt, room)}
  ${(data ?? []).map((d, i) => (d === "STR" ? `r1 = r10\n  r1 += -${16 + room}\n  *(u64 *)(r10 - ${192 - 8 * i}) = r1` : `r1 = ${d} ll\n  *(u64 *)(r10 - ${192 - 8 * i}) = r1`)).join("\n  ")}
  r1 = r10
  r1 += -${room}
  r2 = ${new TextEncoder().encode(fmt).length + 1}
  ${data === null ? "r3 = 0" : "r3 = r10\n  r3 += -192"}
  r4 = ${dataLen}
  call 177`);
};

/** snprintf into ctx[8..40) (size `size`), fmt on the stack, u64 data on the stack */
const SNPRINTF = (data: Array<bigint | "STR">, size: number): string => store(`
  ${stackString("str", 24)}
  ${data.map((d, i) => (d === "STR" ? `r1 = r10\n  r1 += -24\n  *(u64 *)(r10 - ${160 - 8 * i}) = r1` : `r1 = ${d} ll\n  *(u64 *)(r10 - ${160 - 8 * i}) = r1`)).join("\n  ")}
  r1 = r10
  r1 += -224
  r2 = ${size}
  r3 = map[id:0][0]+0
  r4 = r10
  r4 += -160
  r5 = ${data.length * 8}
  call 165`);

const STRNCMP = (a: string, n: number): string => store(`
  ${stackString(a, 32)}
  r1 = r10
  r1 += -32
  r2 = ${n}
  r3 = map[id:0][0]+0
  call 182`);

/** probe read `id` of `size` bytes from `addr` (or the stack string) into ctx[8..40), prefilled with 0xff */
const PROBE = (id: number, size: number, addr: string): string => store(`
  ${stackString("a stack string", 64)}
  r1 = r10
  r1 += -224
  r2 = ${size}
  ${addr === "stack" ? "r3 = r10\n  r3 += -64" : `r3 = ${addr} ll`}
  call ${id}`);

const TASK = store(`
  call 14
  *(u64 *)(r10 - 8) = r0
  call 15
  *(u64 *)(r10 - 16) = r0
  r1 = r10
  r1 += -224
  r2 = 16
  call 16
  r1 = *(u64 *)(r10 - 8)
  *(u64 *)(r6 + 40) = r1
  r1 = *(u64 *)(r10 - 16)
  *(u64 *)(r6 + 48) = r1`);

/** XDP (sleepable syscall programs cannot use PROG_ARRAYs): array map 1 [0] += 1, tail call slot `slot` of map 0; falling through returns the count */
const COUNT_AND_TAIL = (slot: number): string => `
  r6 = r1
  r1 = 0
  *(u32 *)(r10 - 4) = r1
  r1 = map[id:1]
  r2 = r10
  r2 += -4
  call 1
  if r0 == 0 goto +17
  r1 = 1
  lock *(u64 *)(r0 + 0) += r1
  r1 = r6
  r2 = map[id:0]
  r3 = ${slot}
  call 12
  r1 = 0
  *(u32 *)(r10 - 4) = r1
  r1 = map[id:1]
  r2 = r10
  r2 += -4
  call 1
  if r0 == 0 goto +2
  r0 = *(u64 *)(r0 + 0)
  exit
  r0 = 0
  exit`;
const PROG_ARRAY: MapSpec & { type: string } = { type: "prog_array", keySize: 4, valueSize: 4, maxEntries: 4 };
const COUNTER: MapSpec & { type: string } = { type: "array", keySize: 4, valueSize: 8, maxEntries: 1 };
/** a subprogram makes the tail call; main adds 100 to what comes back */
const SUB_TAIL = `
  r6 = r1
  call pc+2
  r0 += 100
  exit
  r2 = map[id:0]
  r3 = 1
  call 12
  r0 = 5
  exit`;
/** 40 tail calls into an empty slot, then one into slot 0: 77 if the empty ones counted (they do not on x86-64) */
const EMPTY_THEN_TAIL = `
  r6 = r1
  r7 = 0
  r1 = r6
  r2 = map[id:0]
  r3 = 3
  call 12
  r7 += 1
  if r7 < 40 goto -7
  r1 = r6
  r2 = map[id:0]
  r3 = 0
  call 12
  r0 = 77
  exit`;
const TAIL_TARGET = `
  r0 = 1000
  exit`;

const ARRAY: MapSpec & { type: string } = { type: "array", keySize: 4, valueSize: 8, maxEntries: 6 };
const HASH: MapSpec & { type: string } = { type: "hash", keySize: 4, valueSize: 8, maxEntries: 32, flags: 64 };
const fill = (n: number, mul: number): Array<readonly [number, Uint8Array, Uint8Array]> => Array.from({ length: n }, (_, i) => [0, u32(i * mul + 1), u64(BigInt(100 + i))] as const);

const CASES: KCase[] = [
  { name: "bpf_loop to the end", src: LOOP("10", 99) },
  { name: "bpf_loop stopped at 6", src: LOOP("10", 6) },
  { name: "bpf_loop of 0", src: LOOP("0", 0) },
  { name: "bpf_loop flags 1", src: LOOP("3", 99, 1) },
  { name: "bpf_loop past 1 << 23", src: LOOP("0x800001", 0) },
  { name: "bpf_loop at 1 << 23, stopped at once", src: LOOP("0x800000", 0) },
  { name: "bpf_loop of 2^32 + 3 (all 64 bits count)", src: LOOP("0x100000003", 99) },
  { name: "for_each array", src: FOR_EACH(99, false), maps: [ARRAY], init: [[0, u32(2), u64(7n)], [0, u32(5), u64(9n)]] },
  { name: "for_each array stopped at key 3", src: FOR_EACH(3, false), maps: [ARRAY] },
  { name: "for_each hash (zero seed): bucket order", src: FOR_EACH(999, false), maps: [HASH], init: fill(9, 7) },
  { name: "for_each hash stopped at key 15", src: FOR_EACH(15, false), maps: [HASH], init: fill(9, 7) },
  { name: "for_each hash deleting each element", src: FOR_EACH(999, true), maps: [HASH], init: fill(9, 5) },
  { name: "strncmp equal", src: STRNCMP("abc", 4), ...constStr("abc") },
  { name: "strncmp greater", src: STRNCMP("abd", 4), ...constStr("abc") },
  { name: "strncmp less, shorter", src: STRNCMP("ab", 8), ...constStr("abc") },
  { name: "strncmp prefix", src: STRNCMP("abcdef", 3), ...constStr("abcxyz") },
  { name: "strncmp high bytes unsigned", src: STRNCMP("a\u00ff", 3), ...constStr("a1") },
  { name: "snprintf %s %d", ...constStr("%s=%d!"), src: SNPRINTF(["STR", -12n], 32) },
  { name: "snprintf cut", ...constStr("%llu|%llx"), src: SNPRINTF([123456789012n, 0xdeadbeefn], 8) },
  { name: "snprintf size 0", ...constStr("%u"), src: SNPRINTF([5n], 0) },
  { name: "snprintf widths and flags", ...constStr("[%5d|%-4u|%03x|%+d|% d]"), src: SNPRINTF([-7n, 3n, 10n, 4n, 4n], 32) },
  { name: "snprintf %c and %%", ...constStr("%c%c %d%%"), src: SNPRINTF([0x4fn, 0x4bn, 50n], 32) },
  { name: "snprintf %s of a stack string", ...constStr("%s"), src: SNPRINTF(["STR"], 32) },
  { name: "snprintf too few arguments", refused: true, ...constStr("%d %d"), src: SNPRINTF([1n], 32) },
  { name: "snprintf bad conversion", refused: true, ...constStr("%q"), src: SNPRINTF([1n], 32) },
  { name: "snprintf precision refused", refused: true, ...constStr("%.3d"), src: SNPRINTF([1n], 32) },
  { name: "trace_printk", src: PRINTK("hello %d %u %x\n", ["-5", "-5", "255"]) },
  { name: "trace_printk %s %lld", src: PRINTK("<%s> %lld", ["STR", "-1"]) },
  { name: "trace_printk 4 conversions", src: PRINTK("%d %d %d %d", ["1", "2", "3"]) },
  { name: "trace_printk %#x", src: PRINTK("%#x", ["1"]) },
  { name: "trace_printk %px", src: PRINTK("%px", ["0xffff888000001000"]) },
  { name: "trace_vprintk 5 arguments", src: VPRINTK("%d %u %x <%s> %lld\n", [-5n, 7n, 255n, "STR", -1n]) },
  { name: "trace_vprintk NULL data", src: VPRINTK("plain\n", null) },
  { name: "trace_vprintk data_len 12", src: VPRINTK("%d", [1n, 2n], 12) },
  { name: "trace_vprintk too few arguments", src: VPRINTK("%d %d %d", [1n, 2n]) },
  { name: "trace_vprintk 13 arguments", src: VPRINTK("%d", Array.from({ length: 13 }, () => 1n)) },
  { name: "probe_read_kernel NULL", src: PROBE(113, 8, "0") },
  { name: "probe_read_kernel stack", src: PROBE(113, 8, "stack") },
  { name: "probe_read_kernel size 0", src: PROBE(113, 0, "0") },
  { name: "probe_read_user NULL", src: PROBE(112, 8, "0") },
  { name: "probe_read_user kernel address", src: PROBE(112, 8, "0xffff888000001000") },
  { name: "probe_read NULL (user)", src: PROBE(4, 8, "0") },
  { name: "probe_read stack (kernel)", src: PROBE(4, 8, "stack") },
  { name: "probe_read_kernel_str stack", src: PROBE(115, 32, "stack") },
  { name: "probe_read_kernel_str stack cut", src: PROBE(115, 6, "stack") },
  { name: "probe_read_kernel_str NULL", src: PROBE(115, 32, "0") },
  { name: "probe_read_user_str NULL", src: PROBE(114, 32, "0") },
  { name: "probe_read_str stack", src: PROBE(45, 32, "stack") },
  { name: "probe_read_kernel_str size 0", src: PROBE(115, 0, "stack") },
  { name: "task helpers", src: TASK, ctx: 56 },
  { name: "tail calls: 33 per run", progType: "xdp", src: COUNT_AND_TAIL(0), maps: [PROG_ARRAY, COUNTER], tails: [[0, 0, COUNT_AND_TAIL(0)]] },
  { name: "tail call into an empty slot falls through", progType: "xdp", src: COUNT_AND_TAIL(2), maps: [PROG_ARRAY, COUNTER], tails: [[0, 0, COUNT_AND_TAIL(0)]] },
  { name: "tail call past max_entries falls through", progType: "xdp", src: COUNT_AND_TAIL(9), maps: [PROG_ARRAY, COUNTER], tails: [[0, 0, COUNT_AND_TAIL(0)]] },
  { name: "tail call from a subprogram returns to its caller", progType: "xdp", src: SUB_TAIL, maps: [PROG_ARRAY], tails: [[0, 1, TAIL_TARGET]] },
  { name: "tail call from a subprogram, empty slot", progType: "xdp", src: SUB_TAIL, maps: [PROG_ARRAY], tails: [[0, 2, TAIL_TARGET]] },
  { name: "tail calls into an empty slot do not count", progType: "xdp", src: EMPTY_THEN_TAIL, maps: [PROG_ARRAY], tails: [[0, 0, TAIL_TARGET]] },
  { name: "tail call after 20 into an empty slot", progType: "xdp", src: EMPTY_THEN_TAIL.replace("r7 < 40", "r7 < 20"), maps: [PROG_ARRAY], tails: [[0, 0, TAIL_TARGET]] },
];

const why = kernelUnavailableReason();

describe("helpers against the real kernel (syscall programs)", () => {
  it.skipIf(why !== null)("give the kernel's results in the interpreter and the JIT", async () => {
    const progs = CASES.map((c) => fnRefs(assemble(c.src)));
    const reqs = [
      { id: "whoami", whoami: true },
      ...CASES.map((c, i) => ({
        id: c.name,
        hex: hex(encodeProgram(progs[i]!)),
        maps: (c.maps ?? []).map((m) => ({ type: m.type, key_size: m.keySize, value_size: m.valueSize, max_entries: m.maxEntries, flags: m.flags ?? 0 })),
        init: (c.init ?? []).map(([m, k, v]) => [m, hex(k), hex(v)]),
        freeze: c.freeze ?? [],
        tails: (c.tails ?? []).map(([mi, slot, src]) => [mi, slot, hex(encodeProgram(fnRefs(assemble(src))))]),
        ...(c.progType === "xdp" ? { prog_type: "xdp", data: "00".repeat(64) } : { ctx: "00".repeat(c.ctx ?? 48) }),
      })),
    ];
    const [me, ...kernel] = kernelRun(reqs);
    const rows: string[] = [];
    for (const [i, c] of CASES.entries()) {
      const k = kernel[i]!;
      if (c.refused === true) {
        expect([c.name, k.ok, k.exception]).toEqual([c.name, false, undefined]);
      } else expect([c.name, k.ok, k.error ?? k.exception ?? null]).toEqual([c.name, true, null]);
      for (const engine of ["interp", "jit", "native"] as const) {
        const m = await createMachine();
        m.setCurrentTask({ pid: me!.pid!, tgid: me!.tgid!, uid: me!.uid!, gid: me!.gid!, comm: me!.comm! });
        const maps = (c.maps ?? []).map((s) => m.createMap(s));
        for (const [mi, key, val] of c.init ?? []) maps[mi]!.update(key, val);
        for (const mi of c.freeze ?? []) maps[mi]!.freeze();
        const opts = m.programOptions(maps);
        for (const [mi, slot, src] of c.tails ?? []) {
          const insns = fnRefs(assemble(src));
          const target = { name: `tail${slot}`, insns, pseudo: opts.pseudo, ...(engine !== "interp" ? { compiled: await compileProgram(insns, { ...opts, ...(engine === "native" ? { verified: { maxStackDepth: 512, insn: [] } } : {}) }) } : {}) };
          maps[mi]!.update(u32(slot), u32(m.registerProgram(target.name, null, target)));
        }
        const input = new Uint8Array(c.ctx ?? 48);
        const ro: RunOptions = { mem: m.mem, helpers: opts.helpers, pseudo: opts.pseudo, input };
        let r0: string;
        try {
          const r = engine === "interp" ? runInterp(progs[i]!, ro) : (await compileProgram(progs[i]!, { ...opts, ...(engine === "native" ? { verified: { maxStackDepth: 512, insn: [] } } : {}) })).run(ro);
          r0 = String(Number(r.r0 & 0xffffffffn));
        } catch (e) {
          if (!(e instanceof RuntimeTrap)) throw e;
          r0 = `trap ${TrapKind[e.kind]} at ${e.pc}: ${e.message}`;
        }
        const ours = { r0, ctx: hex(m.mem.read(0x100000, input.length)) };
        rows.push(`${c.name} [${engine}]`);
        if (c.refused === true) {
          expect([c.name, engine, ours.ctx.slice(0, 16)]).toEqual([c.name, engine, "eaffffffffffffff"]); // -EINVAL at run time
          continue;
        }
        if (c.progType === "xdp") expect([c.name, engine, ours.r0]).toEqual([c.name, engine, String(k.retval)]);
        else expect([c.name, engine, ours]).toEqual([c.name, engine, { r0: String(k.retval), ctx: k.ctx_out }]);
      }
    }
    expect(rows.length).toBe(CASES.length * 3);
    const retval = (name: string): number | undefined => kernel[CASES.findIndex((c) => c.name === name)]!.retval;
    expect(retval("tail calls: 33 per run")).toBe(34);
    expect(retval("tail call into an empty slot falls through")).toBe(1);
    expect(retval("tail call from a subprogram returns to its caller")).toBe(1100);
    expect(retval("tail call from a subprogram, empty slot")).toBe(105);
    expect(retval("tail calls into an empty slot do not count")).toBe(1000);
    expect(retval("tail call after 20 into an empty slot")).toBe(1000);
  }, 120_000);
});
