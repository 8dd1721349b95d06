#!/usr/bin/env python3
"""Loads programs into the running kernel's verifier and reports what it said.

JSON lines on stdin: {"id", "hex", "prog_type", "maps": [{"type","key_size","value_size",
"max_entries","flags"}], "license", "prog_flags", "log_level"}.  JSON lines on stdout:
{"id", "accepted", "errno", "processed", "log"}.  ld_imm64 map references (src_reg 1 or 2)
carry an index into "maps", patched to the real fd.  Needs root and bpf(); never attaches.
Used by scripts/verifier/record-golden.mjs."""
import json
import os
import sys

sys.path.insert(0, os.environ.get("KBPF_DIR", "/work/shared/tools"))
import kbpf  # noqa: E402


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        out = {"id": req.get("id")}
        maps = []
        try:
            for m in req.get("maps", []):
                maps.append(kbpf.Map(m["type"], m["key_size"], m["value_size"], m["max_entries"],
                                     m.get("name", ""), m.get("flags", 0)))
            code = kbpf.patch_maps(bytes.fromhex(req["hex"]), maps)
            with kbpf.prog_load(code, req.get("prog_type", "socket_filter"),
                                log_level=req.get("log_level", 1),
                                license=req.get("license", "GPL"),
                                flags=req.get("prog_flags", 0), keep_fd=False) as lr:
                out.update(accepted=lr.ok, errno=None if lr.ok else lr.errno,
                           processed=lr.processed, log=lr.log)
        except Exception as e:  # keep the stream going
            out.update(accepted=None, exception="%s: %s" % (type(e).__name__, e))
        finally:
            for m in maps:
                m.close()
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
