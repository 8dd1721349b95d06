// Errors between the playground's worker and its page: sent as data, rebuilt typed.
import { describe, expect, it } from "vitest";
import { errorFromWire, errorToWire } from "../../src/browser/wire-error.js";
import { runRequest } from "../../src/browser/engine.js";
import { EbpfError, InternalError } from "../../src/errors.js";
import { VerifierError } from "../../src/verifier/error.js";

const refusal = async (): Promise<unknown> => runRequest({ asm: "r0 = *(u64 *)(r1 + 8)\nexit\n", memHex: "01 02 03 04", engine: "interp", verify: true }).catch((e: unknown) => e);

describe("errors across postMessage", () => {
  it("a refused run is a VerifierError with the verdict's errno, rebuilt as one on the page side", async () => {
    const e = await refusal();
    expect(e).toBeInstanceOf(VerifierError);
    const wire = structuredClone(errorToWire("playground run", e));
    expect([wire.code, wire.internal, wire.error]).toEqual(["EACCES", false, "rejected by the verifier: invalid access to map value, value_size=4 off=8 size=8 at insn 0 (EACCES)"]);
    const back = errorFromWire(wire);
    expect(back).toBeInstanceOf(VerifierError);
    expect([back.message, (back as VerifierError).result.errno]).toEqual([(e as VerifierError).message, 13]);
  });

  it("other errors arrive as EbpfErrors with their code; untyped ones as internal", () => {
    const typed = errorFromWire(structuredClone(errorToWire("x", new EbpfError("ENOENT", "no map 'm'"))));
    expect([typed.constructor, typed.code, typed.message]).toEqual([EbpfError, "ENOENT", "no map 'm' (ENOENT)"]);
    const bug = errorToWire("playground run", new TypeError("oops"));
    expect([bug.internal, bug.code]).toEqual([true, "EFAULT"]);
    expect(errorToWire("x", new InternalError("x", 1)).internal).toBe(true);
  });
});
