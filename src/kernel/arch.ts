// The simulated architecture's register file as kprobe programs see it: struct pt_regs on
// x86-64, struct user_pt_regs on arm64 (what libbpf's PT_REGS_* macros read with
// -D__TARGET_ARCH_x86 / -D__TARGET_ARCH_arm64), and which of those registers an fprobe-based
// probe (kprobe.multi / kretprobe.multi) fills from its sparse ftrace_regs.

export type Arch = "x86" | "arm64";

export interface ArchRegs {
  readonly arch: Arch;
  /** sizeof(bpf_user_pt_regs_t) */
  readonly size: number;
  /** register names by 8-byte slot */
  readonly names: readonly string[];
  /** slots of the argument registers, in argument order */
  readonly args: readonly number[];
  /** slot of the return value register */
  readonly rc: number;
  readonly ip: number;
  readonly sp: number;
  readonly fp: number;
  /** slots an fprobe's ftrace_regs populate: arguments, return value, sp, ip, fp */
  readonly sparse: ReadonlySet<number>;
  /** constant slots of a full register set at a kprobe (segment selectors, flags) */
  readonly fixed: ReadonlyArray<readonly [slot: number, value: bigint]>;
  /** what PT_REGS_IP reads at a function-entry kprobe, relative to the function's address */
  readonly ipBias: bigint;
}

const X86_NAMES = ["r15", "r14", "r13", "r12", "bp", "bx", "r11", "r10", "r9", "r8", "ax", "cx", "dx", "si", "di", "orig_ax", "ip", "cs", "flags", "sp", "ss"];
const ARM64_NAMES = [...Array.from({ length: 31 }, (_, i) => `regs[${i}]`), "sp", "pc", "pstate"];

const slot = (names: readonly string[], n: string): number => names.indexOf(n);

function make(arch: Arch, names: readonly string[], args: readonly string[], rc: string, ip: string, sp: string, fp: string, fixed: ReadonlyArray<readonly [string, bigint]>, ipBias: bigint): ArchRegs {
  const a = args.map((n) => slot(names, n));
  const s = (n: string): number => slot(names, n);
  return {
    arch,
    size: names.length * 8,
    names,
    args: a,
    rc: s(rc),
    ip: s(ip),
    sp: s(sp),
    fp: s(fp),
    sparse: new Set([...a, s(rc), s(ip), s(sp), s(fp)]),
    fixed: fixed.map(([n, v]) => [s(n), v] as const),
    ipBias,
  };
}

/**
 * x86-64: arguments in di, si, dx, cx, r8, r9; ax the return value; an ftrace-based kprobe at a
 * function's entry shows ip = address + 1 (as if the int3 had executed). cs = __KERNEL_CS,
 * ss = __KERNEL_DS, flags = IF set.
 */
export const X86_64: ArchRegs = make("x86", X86_NAMES, ["di", "si", "dx", "cx", "r8", "r9"], "ax", "ip", "sp", "bp", [["cs", 0x10n], ["ss", 0x18n], ["flags", 0x246n]], 1n);

/** arm64: arguments in x0–x7, x0 the return value, x29 the frame pointer; pc = the address. */
export const ARM64: ArchRegs = make("arm64", ARM64_NAMES, ARM64_NAMES.slice(0, 8), "regs[0]", "pc", "sp", "regs[29]", [["pstate", 0x3c5n]], 0n);

export function archRegs(a: Arch): ArchRegs {
  return a === "arm64" ? ARM64 : X86_64;
}

/** The simulated kernel stack pointer a probe sees (each frame 0x100 lower per nesting level is not modelled). */
export const SIM_KERNEL_SP = 0xffffc90000003f00n;
/** The simulated frame pointer (x86 bp / arm64 x29). */
export const SIM_KERNEL_FP = 0xffffc90000003f40n;
