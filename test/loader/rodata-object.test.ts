// .rodata settings as libbpf loads them (test/fixtures/object/rodata_knob.c): the map is frozen
// before the programs load, so the verifier reads `const volatile int targ_pid` as a constant and
// the path it guards is never explored (Linux 6.18 accepts the object with targ_pid = 0 and
// refuses it, "R0 invalid mem access 'scalar'", when targ_pid is set before load).
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BpfObject } from "../../src/object/bpf-object.js";
import { objectVerifyOptions } from "../../src/object/program-load.js";
import { verifyForKernel } from "../../src/kernel/program.js";

const KNOB = fileURLToPath(new URL("../fixtures/object/rodata_knob.o", import.meta.url));
const CTX = { ctx: new Uint8Array(8) };

describe(".rodata read as constants", () => {
  it("the verifier sees .rodata frozen, with its bytes", async () => {
    const obj = await BpfObject.open(KNOB);
    const maps = objectVerifyOptions(obj.spec).maps!;
    expect(maps.map((m) => [m.name, m.frozen, m.initial?.length])).toEqual([["rodata_k.rodata", true, 4]]);
  });

  it(".kconfig is frozen too, holding the configuration's values", async () => {
    const obj = await BpfObject.open(fileURLToPath(new URL("../fixtures/object/kconfig.o", import.meta.url)), { kconfig: { CONFIG_HZ: 250 } });
    const kc = objectVerifyOptions(obj.spec).maps!.find((m) => m.name === "kconfig.kconfig")!;
    expect([kc.frozen, kc.flags! & 0x80]).toEqual([true, 0x80]);
    expect(kc.initial).toBe(obj.spec.maps.find((m) => m.kind === "kconfig")!.initial);
  });

  it("prunes the path targ_pid = 0 makes dead, as Linux: accepted, and it runs", async () => {
    const obj = await BpfObject.open(KNOB);
    const v = obj.program("knob").verify({ logLevel: 1 });
    expect([v.accepted, v.error]).toEqual([true, null]);
    await obj.load();
    expect(obj.program("knob").run(CTX).r0).toBe(7n);
  });

  it("a value set before load is what the verifier reads: the guarded path is explored and refused", async () => {
    const obj = await BpfObject.open(KNOB);
    obj.setRodata("targ_pid", 5);
    const v = obj.program("knob").verify();
    expect([v.accepted, v.errno, v.error]).toEqual([false, 13, "R0 invalid mem access 'scalar'"]);
    await expect(obj.load()).rejects.toThrow(/R0 invalid mem access 'scalar'/);
    // back to 0 before the maps exist: accepted again
    const again = await BpfObject.open(KNOB);
    again.setRodata("targ_pid", 5);
    again.setRodata("targ_pid", new Uint8Array(4));
    expect(again.program("knob").verify().accepted).toBe(true);
  });

  it("the simulated kernel's verification reads the same constants", async () => {
    const obj = await BpfObject.open(KNOB);
    const insns = obj.coreApply(obj.program("knob"));
    expect(verifyForKernel(insns, "raw_tracepoint", obj, null).accepted).toBe(true);
    obj.setRodata("targ_pid", -1);
    expect(verifyForKernel(insns, "raw_tracepoint", obj, null).error).toBe("R0 invalid mem access 'scalar'");
  });

  it("the created map is frozen: user space cannot write it after load (EPERM), setRodata is EBUSY", async () => {
    const obj = await BpfObject.open(KNOB);
    await obj.load();
    const m = obj.map("rodata_k.rodata");
    expect(m.info().frozen).toBe(true);
    expect(() => m.update(new Uint8Array(4), new Uint8Array(4))).toThrow(expect.objectContaining({ code: "EPERM" }));
    expect(() => obj.setRodata("targ_pid", 1)).toThrow(expect.objectContaining({ code: "EBUSY" }));
  });

  it("refuses unknown names and values that do not fit", async () => {
    const obj = await BpfObject.open(KNOB);
    expect(() => obj.setRodata("nope", 1)).toThrow(expect.objectContaining({ code: "ENOENT" }));
    expect(() => obj.setRodata("targ_pid", 1n << 32n)).toThrow(expect.objectContaining({ code: "ERANGE" }));
    expect(() => obj.setRodata("targ_pid", -(1n << 31n) - 1n)).toThrow(expect.objectContaining({ code: "ERANGE" }));
    expect(() => obj.setRodata("targ_pid", 1.5)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => obj.setRodata("targ_pid", new Uint8Array(8))).toThrow(expect.objectContaining({ code: "EINVAL" }));
    obj.setRodata("targ_pid", 0xffffffff);
    expect([...obj.spec.maps[0]!.initial!]).toEqual([255, 255, 255, 255]);
  });
});
