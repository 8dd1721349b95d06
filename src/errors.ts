// One base error for the whole library. Each subclass names where the problem is
// (instruction index, line/column, section/offset) and carries an errno-style code
// where the kernel has one, so callers can branch on `code` rather than message text.

/** errno names used by the kernel's bpf() paths, with their Linux numbers. */
export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  E2BIG: 7,
  EIO: 5,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EISDIR: 21,
  EINVAL: 22,
  ENOSPC: 28,
  ERANGE: 34,
  ELOOP: 40,
  EPROTO: 71,
  ENOTSUP: 95,
  EOPNOTSUPP: 95,
  /** the kernel-internal "operation not supported" that bpf() returns unchanged for some map ops */
  ENOTSUPP: 524,
} as const;

export type Errno = keyof typeof ERRNO;

export class EbpfError extends Error {
  override readonly name: string = "EbpfError";
  readonly code: Errno;
  constructor(code: Errno, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
  /** The Linux errno number for `code`. */
  get errno(): number {
    return ERRNO[this.code];
  }
}

export function isEbpfError(x: unknown): x is EbpfError {
  return x instanceof Error && typeof (x as { code?: unknown }).code === "string" && "errno" in x;
}

/** An instruction stream that is not valid eBPF (the kernel's "invalid insn" / "unknown opcode"). */
export class DecodeError extends EbpfError {
  override readonly name = "DecodeError";
  /** Index of the offending instruction slot (8-byte unit). */
  readonly insnIdx: number;
  /** Byte offset of the offending instruction in the input. */
  readonly byteOffset: number;
  readonly reason: string;
  constructor(insnIdx: number, reason: string) {
    super("EINVAL", `insn ${insnIdx} (byte offset ${insnIdx * 8}): ${reason}`);
    this.insnIdx = insnIdx;
    this.byteOffset = insnIdx * 8;
    this.reason = reason;
  }
}

/** Text that does not assemble, with the 1-based line and column it was found at. */
export class AsmError extends EbpfError {
  override readonly name = "AsmError";
  readonly line: number;
  readonly column: number;
  constructor(line: number, column: number, reason: string) {
    super("EINVAL", `${line}:${column}: ${reason}`);
    this.line = line;
    this.column = column;
  }
}

/** Why an execution stopped abnormally. Shared by the interpreter and the JIT (same numbers). */
export enum TrapKind {
  /** Load, store or atomic outside every region the program may touch. */
  OutOfBounds = 1,
  /** bpf-to-bpf calls nested deeper than the frame limit. */
  CallDepth = 2,
  /** Unverified run exceeded its instruction budget. */
  Budget = 3,
  /** Call of a helper id that no registry entry implements. */
  UnknownHelper = 4,
  /** callx to an address that is not a function. */
  BadCallTarget = 5,
  /** An instruction this engine cannot execute in the current context. */
  Unsupported = 6,
  /** A helper reported a fatal condition. */
  HelperFault = 7,
  /** Execution fell off the end of the program or jumped outside it. */
  BadJump = 8,
}

/** An execution that stopped with a trap, naming the instruction and, for memory faults, the access. */
export class RuntimeTrap extends EbpfError {
  override readonly name = "RuntimeTrap";
  readonly kind: TrapKind;
  readonly pc: number;
  readonly address: bigint | undefined;
  readonly size: number | undefined;
  constructor(kind: TrapKind, pc: number, message: string, access?: { address: bigint; size: number }) {
    super(kind === TrapKind.Budget ? "E2BIG" : kind === TrapKind.OutOfBounds ? "EFAULT" : "EINVAL", `pc ${pc}: ${message}`);
    this.kind = kind;
    this.pc = pc;
    this.address = access?.address;
    this.size = access?.size;
  }
}

/** A feature that exists in the kernel but is not available in this build or context. */
export class NotSupportedError extends EbpfError {
  override readonly name = "NotSupportedError";
  constructor(message: string) {
    super("ENOTSUP", message);
  }
}

/** An object file that cannot be read, naming the section and byte offset where it went wrong. */
export class LoaderError extends EbpfError {
  override readonly name = "LoaderError";
  readonly section: string | undefined;
  readonly offset: number | undefined;
  constructor(message: string, where: { section?: string; offset?: number } = {}, code: Errno = "EINVAL") {
    const at = [where.section !== undefined ? `section ${where.section}` : "", where.offset !== undefined ? `offset ${where.offset}` : ""]
      .filter((s) => s !== "")
      .join(", ");
    super(code, at === "" ? message : `${at}: ${message}`);
    this.section = where.section;
    this.offset = where.offset;
  }
}

/**
 * A bpf() map command failed: `code`/`errno` are exactly what the kernel returns for the same
 * request (creation: EINVAL, E2BIG, ENOTSUPP…; per operation: ENOENT, EEXIST, E2BIG, EPERM…).
 */
export class BpfError extends EbpfError {
  override readonly name = "BpfError";
  /** the command: "create", "lookup", "update", "delete", "next_key", "lookup_and_delete", "freeze", … */
  readonly op: string;
  constructor(code: Errno, op: string, message: string) {
    super(code, `${op}: ${code} (${ERRNO[code]}): ${message}`);
    this.op = op;
  }
  /** From a kernel errno number (a map operation's -errno). */
  static fromErrno(errno: number, op: string, message: string): BpfError {
    return new BpfError(errnoName(errno), op, message);
  }
}

/** The errno name for a Linux errno number (95 reads as EOPNOTSUPP, the name the map code uses). */
export function errnoName(n: number): Errno {
  if (n === 95) return "EOPNOTSUPP";
  for (const [k, v] of Object.entries(ERRNO)) if (v === n) return k as Errno;
  throw new RangeError(`errno ${n} is not one the bpf() paths return`);
}

/**
 * Something wabpf did not expect (a TypeError, a RangeError…) caught at a public entry point:
 * a bug in wabpf, never the user's fault. EFAULT, as the kernel's verifier reports its own
 * internal errors.
 */
export class InternalError extends EbpfError {
  override readonly name = "InternalError";
  /** the entry point, and the input when known ("BpfObject.open prog.o") */
  readonly where: string;
  constructor(where: string, cause: unknown) {
    const what = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super("EFAULT", `internal error in ${where} (a bug in wabpf, please report it with the input): ${what}`, { cause });
    this.where = where;
  }
}

/** `e` as an EbpfError: itself when typed, else an InternalError naming `where`. */
export function asEbpfError(where: string, e: unknown): EbpfError {
  return isEbpfError(e) ? e : new InternalError(where, e);
}

/**
 * The error boundary of a public entry point: runs `f` (sync or async) and lets only
 * EbpfErrors out, so callers can rely on `code` and never see a raw JS error.
 */
export function atBoundary<T>(where: string | (() => string), f: () => T): T {
  const name = (): string => (typeof where === "string" ? where : where());
  try {
    const r = f();
    if (r instanceof Promise) return r.catch((e: unknown) => Promise.reject(asEbpfError(name(), e))) as T;
    return r;
  } catch (e) {
    throw asEbpfError(name(), e);
  }
}
