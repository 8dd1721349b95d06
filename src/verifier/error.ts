// The one error for a program the verifier refused, wherever the refusal surfaces:
// verifyOrThrow, BpfProgram.load, SimKernel.load, the CLI's verification before a run and the
// playground (rebuilt from data on the page side). Modelled on cilium/ebpf's VerifierError:
// the errno, the log as lines, a one-line summary, whether the log was cut to fit the
// caller's buffer, and a formatter for the whole log or its tail.
import { EbpfError, ERRNO, errnoName, type Errno } from "../errors.js";
import type { VerifyResult } from "./types.js";

/** The errno name of a refusal (EINVAL for a number outside the table: the verifier's default). */
export function verdictCode(result: VerifyResult): Errno {
  try {
    return errnoName(result.errno ?? ERRNO.EINVAL);
  } catch {
    return "EINVAL";
  }
}

export interface VerifierErrorOptions {
  /** what was being done, printed before the summary: "program 'xdp_prog'", "rejected by the verifier" */
  readonly context?: string;
  /** the object program that was refused */
  readonly program?: string;
  /**
   * the caller's log buffer in bytes, its terminating NUL included (bpf_attr.log_size): a longer
   * log keeps its newest part (the kernel's rotating log) and the error says it was truncated
   */
  readonly logSize?: number;
}

/** A VerifierError as plain data (what a Worker posts; `VerifierError.fromData` rebuilds it). */
export interface VerifierErrorData extends VerifierErrorOptions {
  readonly result: VerifyResult;
}

/** Lines that close a log without saying what went wrong (the statistics the kernel appends). */
const STATS_LINE = /^(processed \d+ insns|verification time |stack depth |mark_read )/;

/** A program the verifier refused: the kernel's errno, its error line and its log. */
export class VerifierError extends EbpfError {
  override readonly name = "VerifierError";
  /** the verifier's whole verdict (facts, instructions processed, the log as one string) */
  readonly result: VerifyResult;
  /** the log, one entry per line, trailing blank lines dropped (empty at log level 0) */
  readonly log: readonly string[];
  /** the log did not fit the caller's log buffer: `log` is its newest part */
  readonly truncated: boolean;
  /** the error line: the verifier's own, else the last line of the log that is not a statistic */
  readonly reason: string;
  readonly context: string | undefined;
  readonly program: string | undefined;
  /** the instruction the refusal was found at, and its C source line when the object has line info */
  readonly insn: number | undefined;
  readonly sourceLine: string | undefined;
  private readonly logSize: number | undefined;

  constructor(result: VerifyResult, opts: VerifierErrorOptions = {}) {
    const { lines, truncated } = logLines(result.log, opts.logSize);
    const reason = result.error ?? lastMeaningfulLine(lines) ?? "verification failed";
    const code = verdictCode(result);
    // where: the instruction and, with BTF line info, its C source line (as the kernel's log shows them)
    const at = result.errorInsn === undefined ? "" : ` at insn ${result.errorInsn}${result.errorSource !== undefined ? ` (${result.errorSource.replace(/^; /, "")})` : ""}`;
    super(code, `${opts.context !== undefined ? `${opts.context}: ` : ""}${reason}${at} (${code})`);
    this.result = result;
    this.log = lines;
    this.truncated = truncated;
    this.reason = reason;
    this.context = opts.context;
    this.program = opts.program;
    this.insn = result.errorInsn;
    this.sourceLine = result.errorSource;
    this.logSize = opts.logSize;
  }

  /**
   * The summary line, then the log one line per row (indented by a tab): all of it, or its
   * last `lines` lines after a note of how many were left out.
   */
  format(lines?: number): string {
    const keep = lines === undefined ? this.log : this.log.slice(Math.max(0, this.log.length - Math.max(0, lines)));
    const omitted = this.log.length - keep.length;
    const rows = [this.message];
    if (this.truncated) rows.push("\t(the log was truncated to fit its buffer)");
    if (omitted > 0) rows.push(`\t(${omitted} line(s) omitted)`);
    for (const l of keep) rows.push(`\t${l}`);
    return rows.join("\n");
  }

  /** Plain data that survives postMessage / JSON (bigints aside) and rebuilds this error. */
  toData(): VerifierErrorData {
    return {
      result: this.result,
      ...(this.context !== undefined ? { context: this.context } : {}),
      ...(this.program !== undefined ? { program: this.program } : {}),
      ...(this.logSize !== undefined ? { logSize: this.logSize } : {}),
    };
  }

  static fromData(d: VerifierErrorData): VerifierError {
    return new VerifierError(d.result, d);
  }
}

/** The log as lines; with a buffer size, only the newest part that fits (whole lines only). */
function logLines(log: string, logSize: number | undefined): { lines: string[]; truncated: boolean } {
  let text = log;
  let truncated = false;
  if (logSize !== undefined) {
    // the buffer holds logSize - 1 bytes of text and a NUL
    const room = Math.max(0, logSize - 1);
    const bytes = new TextEncoder().encode(text);
    if (bytes.length > room) {
      truncated = true;
      text = new TextDecoder().decode(bytes.subarray(bytes.length - room));
      // the cut falls inside a line: that fragment says nothing on its own
      const nl = text.indexOf("\n");
      text = nl < 0 ? "" : text.slice(nl + 1);
    }
  }
  const lines = text.split("\n").map((l) => l.trimEnd());
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return { lines, truncated };
}

function lastMeaningfulLine(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (l !== "" && !STATS_LINE.test(l)) return l;
  }
  return undefined;
}
