import { describe, expect, it } from "vitest";
import { verifyBatchLine } from "../../src/cli/commands/verify.js";

describe("wabpf verify --batch lines", () => {
  it("answers each request with the verdict", () => {
    const ok = verifyBatchLine(JSON.stringify({ id: "a", insns_hex: "b7000000000000009500000000000000", prog_type: "xdp" }));
    expect(ok).toEqual({ id: "a", accepted: true, errno: null, error: null, insns_processed: 2 });
    const bad = verifyBatchLine(JSON.stringify({ id: 7, insns_hex: "9500000000000000" }));
    expect(bad).toEqual({ id: 7, accepted: false, errno: 13, error: "R0 !read_ok", insns_processed: 1 });
  });

  it("maps the i-th map to ld_imm64 imm i", () => {
    // r1 = map[0]; r2 = fp-8; call map_lookup_elem; r0 = 0; exit
    const hex = "18110000000000000000000000000000bfa20000000000000702000008ffffff".replace("08ffffff", "f8ffffff") + "8500000001000000b7000000000000009500000000000000";
    const r = verifyBatchLine(JSON.stringify({ id: 1, insns_hex: hex, maps: [{ type: "hash", key_size: 8, value_size: 8, max_entries: 4 }] }));
    expect(r["accepted"]).toBe(true);
    expect(verifyBatchLine(JSON.stringify({ id: 1, insns_hex: hex }))["error"]).toBe("fd 0 is not pointing to valid bpf_map");
  });

  it("never dies on bad input", () => {
    expect(verifyBatchLine("{")["error"]).toMatch(/^bad request/);
    expect(verifyBatchLine(JSON.stringify({ id: 1, insns_hex: "abc" }))["error"]).toMatch(/^bad request/);
    expect(verifyBatchLine(JSON.stringify({ id: 1, insns_hex: "b700000000000000", prog_type: "nope" }))["error"]).toMatch(/^bad request/);
  });
});

describe("wabpf verify --batch map descriptions", () => {
  it("take the map type as the enum's number too", () => {
    const hex = "18110000000000000000000000000000bfa20000000000000702000008ffffff".replace("08ffffff", "f8ffffff") + "8500000001000000b7000000000000009500000000000000";
    const r = verifyBatchLine(JSON.stringify({ id: 2, insns_hex: hex, maps: [{ type: 1, key_size: 8, value_size: 8, max_entries: 4, init_hex: null, freeze: false }] }));
    expect(r).toMatchObject({ id: 2, accepted: true });
  });
});

describe("wabpf verify --batch frozen maps", () => {
  // r1 = &map0 value; r2 = *(u32 *)(r1 + 0); if r2 == 0 goto +1; r0 = *(u64 *)(r10 + 8); r0 = 0; exit
  const hex = "1821000000000000000000000000000061120000000000001502010000000000" + "79a0080000000000b7000000000000009500000000000000";
  const map = { type: "array", key_size: 4, value_size: 8, max_entries: 1, flags: 0x80 };
  it("read a frozen BPF_F_RDONLY_PROG map's init_hex as constants (a dead branch is not explored)", () => {
    expect(verifyBatchLine(JSON.stringify({ id: 1, insns_hex: hex, maps: [{ ...map, init_hex: "00000000", freeze: true }] }))["accepted"]).toBe(true);
    expect(verifyBatchLine(JSON.stringify({ id: 2, insns_hex: hex, maps: [{ ...map, init_hex: "01000000", freeze: true }] }))["error"]).toBe("invalid read from stack R10 off=8 size=8");
    expect(verifyBatchLine(JSON.stringify({ id: 3, insns_hex: hex, maps: [{ ...map, init_hex: "00000000", freeze: false }] }))["error"]).toBe("invalid read from stack R10 off=8 size=8");
    expect(verifyBatchLine(JSON.stringify({ id: 4, insns_hex: hex, maps: [{ ...map, init_hex: "00".repeat(9), freeze: true }] }))["error"]).toMatch(/^bad request: init_hex/);
  });
});
