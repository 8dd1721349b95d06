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
