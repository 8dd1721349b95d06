#!/usr/bin/env python3
"""Run a map benchmark program in the real kernel: JSON lines in, JSON lines out.

In:  {"id":..., "code": HEX, "repeat": N, "maps": [{"type","key_size","value_size",
      "max_entries","flags","fill":[[KEYHEX, VALHEX], ...]}]}
Out: {"id":..., "ok": bool, "r0": "...", "duration": ns/run, "error": ...}
The body runs under kbpf.py's map harness (XDP program, BPF_PROG_TEST_RUN with repeat);
ld_imm64 src_reg 1 with imm i refers to maps[i]. Nothing is attached or pinned.
With "mems": [HEX, ...] the body runs once per memory (r1 = it, r2 = its length) on the same
maps, giving "r0s"; with "dump": true the maps' contents follow as "dump": [[[KEY, VALUE]...]]
in get_next_key order. The process pins itself to CPU 0 (per-CPU slots, LRU local lists).
"""
import json, os, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "tools"))
import kbpf  # noqa: E402


def run(req):
    maps = []
    try:
        for spec in req["maps"]:
            m = kbpf.Map(spec["type"], spec["key_size"], spec["value_size"], spec["max_entries"], flags=spec.get("flags", 0))
            maps.append(m)
            for k, v in spec.get("fill", []):
                m.update(bytes.fromhex(k), bytes.fromhex(v))
        code = bytes.fromhex(req["code"])
        if "mems" in req:
            r0s = []
            for mem in req["mems"]:
                res = kbpf.run_mem(code, bytes.fromhex(mem), harness="map", maps=maps)
                if not res["ok"]:
                    lines = [ln for ln in res["log"].splitlines() if ln]
                    return {"ok": False, "error": lines[-1] if lines else ""}
                r0s.append(str(res["r0"]))
            out = {"ok": True, "r0s": r0s}
            if req.get("dump"):
                out["dump"] = [[[k.hex(), m.lookup(k).hex()] for k in m.keys()] for m in maps]
            return out
        res = kbpf.run_mem(code, b"", harness="map", repeat=req.get("repeat", 1), maps=maps)
        lines = [ln for ln in res["log"].splitlines() if ln]
        return {"ok": res["ok"], "r0": str(res["r0"]), "duration": res["duration"], "error": None if res["ok"] else (lines[-1] if lines else "")}
    finally:
        for m in maps:
            m.close()


try:
    os.sched_setaffinity(0, {0})
except OSError:
    pass
for line in sys.stdin:
    if line.strip():
        req = json.loads(line)
        try:
            out = run(req)
        except Exception as e:  # keep the stream going
            out = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        out["id"] = req.get("id")
        print(json.dumps(out), flush=True)
