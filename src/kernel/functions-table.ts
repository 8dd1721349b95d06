// The kernel's functions: an address (kallsyms), two slots in the shared function table and a
// body each. Callers call_indirect through the *entry* slot; the *orig* slot keeps the body, so
// attaching replaces only the entry (the kernel's patched nop, in table form).
import { globToRegExp } from "../loader/sections.js";
import { EbpfError } from "../errors.js";
import type { Binaryen } from "../jit/binaryen-loader.js";
import type { GuestMemory } from "../exec/guest-memory.js";
import { modifyReturnAllowed, type KernelFunctionSpec } from "./functions.js";
import { buildHostFunction } from "./trampoline.js";

/** The address of the first kernel function; each takes 0x40 bytes of "text". */
export const KERNEL_TEXT_BASE = 0xffffffff81000000n;
const TEXT_STEP = 0x40n;

export interface KernelFunction extends KernelFunctionSpec {
  readonly index: number;
  /** the function's address (kallsyms) */
  readonly ip: bigint;
  readonly nargs: number;
  readonly entrySlot: number;
  readonly origSlot: number;
  /** fmod_ret may attach (error-injection list or an int-returning security_* hook) */
  readonly modifyReturn: boolean;
  /** defined from the host with SimKernel.defineFunction */
  readonly host: boolean;
}

/** Every function of one kernel, by index, name and address. */
export class FunctionTable {
  private readonly fnList: KernelFunction[] = [];
  private readonly byName = new Map<string, KernelFunction>();
  private readonly byIp = new Map<bigint, KernelFunction>();
  // `Function`: a wasm function object has no narrower static type
  private readonly bodies = new Map<KernelFunction, Function>();

  /** `onChange` runs when a function is added (the kernel's BTF must be rebuilt). */
  constructor(
    private readonly mem: GuestMemory,
    private readonly onChange: () => void,
  ) {}

  get list(): readonly KernelFunction[] {
    return this.fnList;
  }

  /** Give `body` an address and its two table slots. */
  add(spec: KernelFunctionSpec, body: Function, host: boolean): KernelFunction {
    if (this.byName.has(spec.name)) throw new EbpfError("EEXIST", `kernel function ${spec.name} already exists`);
    if (spec.params.length > 12) throw new EbpfError("E2BIG", `kernel function ${spec.name}: more than 12 arguments`);
    const entrySlot = this.mem.allocTableSlots(2);
    const index = this.fnList.length;
    const f: KernelFunction = {
      ...spec,
      index,
      ip: KERNEL_TEXT_BASE + BigInt(index) * TEXT_STEP,
      nargs: spec.params.length,
      entrySlot,
      origSlot: entrySlot + 1,
      modifyReturn: modifyReturnAllowed(spec),
      host,
    };
    this.mem.table.set(entrySlot, body);
    this.mem.table.set(entrySlot + 1, body);
    this.fnList.push(f);
    this.byName.set(f.name, f);
    this.byIp.set(f.ip, f);
    this.bodies.set(f, body);
    this.onChange();
    return f;
  }

  /** A function implemented in JS: a wasm shim crossing into `impl` with u64 BigInt arguments. */
  addHost(b: Binaryen, spec: KernelFunctionSpec, impl: (...args: bigint[]) => bigint): KernelFunction {
    const body = buildHostFunction(b, spec.params.length, (_ip: bigint, ...args: bigint[]) => impl(...args.map((a) => BigInt.asUintN(64, a))));
    return this.add(spec, body, true);
  }

  fn(name: string): KernelFunction {
    const f = this.byName.get(name);
    if (f === undefined) throw new EbpfError("ENOENT", `no kernel function '${name}'`);
    return f;
  }
  get(name: string): KernelFunction | undefined {
    return this.byName.get(name);
  }
  byAddress(ip: bigint): KernelFunction | undefined {
    return this.byIp.get(ip);
  }
  /** The function's own code (what its orig slot holds). */
  body(f: KernelFunction): Function {
    return this.bodies.get(f)!;
  }

  /** Functions whose names match a glob ('*' and '?'). */
  match(pattern: string): KernelFunction[] {
    const re = globToRegExp(pattern);
    return this.fnList.filter((f) => re.test(f.name));
  }

  /** /proc/kallsyms: "address T name" per function. */
  kallsyms(): string {
    return this.fnList.map((f) => `${f.ip.toString(16).padStart(16, "0")} T ${f.name}\n`).join("");
  }

  /** "name" or "name+0xoff/0x40" for an address in kernel text, null outside it. */
  symbolize(addr: bigint, withOffset: boolean): string | null {
    const f = this.fnList[Number((addr - KERNEL_TEXT_BASE) / TEXT_STEP)];
    if (addr < KERNEL_TEXT_BASE || f === undefined) return null;
    const off = addr - f.ip;
    return withOffset ? `${f.name}+0x${off.toString(16)}/0x40` : f.name;
  }
}
