// VerifierError, the one error for a refused program: what it carries, its one-line message,
// its log formatter, truncation to a log buffer and the round trip through plain data.
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/asm/assemble.js";
import { verify, verifyOrThrow, VerifierError } from "../../src/verifier/index.js";
import { refusedResult } from "../../src/verifier/types.js";
import { EbpfError, ProgramLoadError } from "../../src/index.js";

const OOB = assemble("r0 = *(u64 *)(r1 + 8)\nexit\n");
const refused = (logLevel: 0 | 1 | 2) => verify(OOB, { progType: "socket_filter", logLevel });

describe("VerifierError", () => {
  it("carries the errno, the error line and the log as lines; the message is context, line and errno name", () => {
    const e = new VerifierError(refused(1), { context: "program 'p'", program: "p" });
    expect(e).toBeInstanceOf(EbpfError);
    expect([e.name, e.code, e.errno, e.program]).toEqual(["VerifierError", "EACCES", 13, "p"]);
    expect(e.reason).toBe("invalid bpf_context access off=8 size=8");
    expect(e.message).toBe("program 'p': invalid bpf_context access off=8 size=8 at insn 0 (EACCES)");
    expect(e.insn).toBe(0);
    expect(e.log).toEqual(refused(1).log.trimEnd().split("\n"));
    expect(e.log.at(-2)).toBe(e.reason);
    expect(e.truncated).toBe(false);
  });

  it("has an empty log at log level 0 and still names the error", () => {
    const e = new VerifierError(refused(0));
    expect(e.log).toEqual([]);
    expect(e.message).toBe("invalid bpf_context access off=8 size=8 at insn 0 (EACCES)");
    expect(e.format()).toBe(e.message);
  });

  it("without the verifier's error line, takes the last log line that is not a statistic", () => {
    const r = { ...refusedResult(22, "x", false), error: null, log: "0: (95) exit\nR0 !read_ok\nprocessed 1 insns (limit 1000000) max_states_per_insn 0\n" };
    expect(new VerifierError(r).reason).toBe("R0 !read_ok");
    expect(new VerifierError({ ...r, log: "" }).message).toBe("verification failed (EINVAL)");
  });

  it("formats the whole log or its last N lines", () => {
    const e = new VerifierError(refused(1));
    const full = e.format().split("\n");
    expect(full[0]).toBe(e.message);
    expect(full.slice(1)).toEqual(e.log.map((l) => `\t${l}`));
    expect(e.format(1).split("\n")).toEqual([e.message, `\t(${e.log.length - 1} line(s) omitted)`, `\t${e.log.at(-1)}`]);
  });

  it("keeps the newest whole lines that fit a log buffer and says it was truncated", () => {
    const r = refused(1);
    const tail = r.log.trimEnd().split("\n").slice(-2).join("\n") + "\n";
    const e = new VerifierError(r, { logSize: tail.length + 1 + 3 });
    expect(e.truncated).toBe(true);
    expect(e.log).toEqual(tail.trimEnd().split("\n"));
    expect(e.format()).toContain("(the log was truncated to fit its buffer)");
    expect(new VerifierError(r, { logSize: r.log.length + 1 }).truncated).toBe(false);
  });

  it("survives structured cloning as data", () => {
    const e = new VerifierError(refused(1), { context: "rejected by the verifier", logSize: 90 });
    const back = VerifierError.fromData(structuredClone(e.toData()));
    expect([back.message, back.code, back.log, back.truncated, back.context]).toEqual([e.message, e.code, e.log, e.truncated, e.context]);
  });

  it("is what verifyOrThrow throws, and ProgramLoadError is its deprecated alias", () => {
    expect(() => verifyOrThrow(OOB, { progType: "socket_filter" })).toThrow(VerifierError);
    expect(ProgramLoadError).toBe(VerifierError);
  });
});
