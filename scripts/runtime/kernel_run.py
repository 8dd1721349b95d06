#!/usr/bin/env python3
"""Loads programs into the running kernel with a minimal BTF and func_info (as callbacks need)
and runs them once with BPF_PROG_TEST_RUN: the helper differential of test/runtime.

JSON lines on stdin: {"id", "hex", "prog_type" (default "syscall"), "maps": [{"type",
"key_size","value_size","max_entries","flags"}], "init": [[map_index, key_hex, value_hex]],
"freeze": [map_index], "data": hex (packet data instead of ctx, e.g. for xdp), "tails": [[map_index, slot, hex]] (programs loaded first, with the same
maps, and put in that PROG_ARRAY slot), "ctx": hex}.  JSON lines on stdout: {"id", "ok", "errno", "error" (last log line), "retval",
"ctx_out"}.  {"id", "whoami": true} answers with this process's pid, tgid, uid, gid and comm
(what the task helpers see).  ld_imm64 map references (src_reg 1 or 2) carry an index into
"maps".  Needs root and bpf(); never attaches."""
import ctypes
import errno
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "verifier"))
sys.path.insert(0, os.environ.get("KBPF_DIR", "/work/shared/tools"))
import kbpf  # noqa: E402
from kernel_verify import btf_load, make_btf, subprog_starts  # noqa: E402


BPF_MAP_FREEZE = 22


def load(code, ptype):
    """BPF_PROG_LOAD with prog_btf_fd and func_info; returns (fd or None, errno, log)."""
    t, eat, _btf_id, fl = kbpf.resolve_type(ptype)
    starts = sorted(subprog_starts(code))
    btf_fd = btf_load(make_btf(len(starts)))
    try:
        finfo = b"".join(struct.pack("<II", s, 3 + k) for k, s in enumerate(starts))
        fbuf = ctypes.create_string_buffer(finfo, len(finfo))
        lic = ctypes.create_string_buffer(b"GPL")
        ibuf = ctypes.create_string_buffer(bytes(code), len(code))
        log_size = 1 << 22
        logbuf = ctypes.create_string_buffer(log_size)
        a = kbpf._attr()
        struct.pack_into("<IIQQIIQII", a, 0, t, len(code) // 8, kbpf._addr(ibuf), kbpf._addr(lic),
                         1, log_size, kbpf._addr(logbuf), 0, fl)
        struct.pack_into("<II", a, 64, 0, eat)
        struct.pack_into("<IIQI", a, 72, btf_fd, 8, kbpf._addr(fbuf), len(starts))
        try:
            return kbpf.sys_bpf(kbpf.BPF_PROG_LOAD, a), 0, ""
        except kbpf.BpfError as e:
            return None, e.errno, logbuf.value.decode(errors="replace")
    finally:
        os.close(btf_fd)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        out = {"id": req.get("id")}
        if req.get("whoami"):
            with open("/proc/self/comm") as f:
                comm = f.read().strip()
            out.update(pid=os.getpid(), tgid=os.getpid(), uid=os.getuid(), gid=os.getgid(), comm=comm)
            print(json.dumps(out), flush=True)
            continue
        maps = []
        try:
            for m in req.get("maps", []):
                maps.append(kbpf.Map(m["type"], m["key_size"], m["value_size"], m["max_entries"],
                                     "", m.get("flags", 0)))
            for idx, k, v in req.get("init", []):
                maps[idx].update(bytes.fromhex(k), bytes.fromhex(v))
            for idx in req.get("freeze", []):
                a = kbpf._attr()
                struct.pack_into("<I", a, 0, maps[idx].fd)
                kbpf.sys_bpf(BPF_MAP_FREEZE, a)
            tails = []
            for idx, slot, thex in req.get("tails", []):
                tfd, terr, tlog = load(kbpf.patch_maps(bytes.fromhex(thex), maps), req.get("prog_type", "syscall"))
                if tfd is None:
                    raise RuntimeError("tail call target refused (%d): %s" % (terr, [ln for ln in tlog.strip().splitlines() if not ln.startswith(("processed", "verification time", "stack depth"))][-2:]))
                tails.append(tfd)
                maps[idx].update(struct.pack("<I", slot), struct.pack("<I", tfd))
            code = kbpf.patch_maps(bytes.fromhex(req["hex"]), maps)
            fd, err, log = load(code, req.get("prog_type", "syscall"))
            for tfd in tails:
                os.close(tfd)
            out.update(ok=fd is not None, errno=err)
            if fd is None:
                lines = [ln for ln in log.splitlines() if ln and not ln.startswith(("verification time", "stack depth", "processed "))]
                out["error"] = lines[-1] if lines else ""
            else:
                try:
                    r = kbpf.test_run(fd, ctx=bytes.fromhex(req["ctx"]) if "ctx" in req else None,
                                      data=bytes.fromhex(req["data"]) if "data" in req else None)
                    out.update(retval=r.retval, ctx_out=r.ctx_out.hex() if r.ctx_out is not None else None)
                except kbpf.BpfError as e:
                    out["run_errno"] = e.errno
                finally:
                    os.close(fd)
        except Exception as e:  # keep the stream going
            out.update(ok=False, exception="%s: %s" % (type(e).__name__, e))
        finally:
            for m in maps:
                m.close()
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())
