#!/usr/bin/env python3
"""Loads programs into the running kernel's verifier and reports what it said.

JSON lines on stdin: {"id", "hex", "prog_type", "maps": [{"type","key_size","value_size",
"max_entries","flags","spin_lock_off"?,"init_hex"?,"freeze"?}], "license", "prog_flags", "log_level", "func_info"}.  JSON lines on stdout:
{"id", "accepted", "errno", "processed", "log"}.  ld_imm64 map references (src_reg 1 or 2)
carry an index into "maps", patched to the real fd; "init_hex" is written to key 0 and "freeze"
applies BPF_MAP_FREEZE before the load (libbpf's .rodata).  With "func_info": true the program is
loaded with a minimal BTF (one FUNC "int fN(void)" per subprogram, main global, the others
static) and its func_info, as callbacks (bpf_loop, bpf_for_each_map_elem) need.  Needs root and bpf(); never attaches.
Used by scripts/verifier/record-golden.mjs."""
import ctypes
import errno
import json
import os
import re
import struct
import sys

sys.path.insert(0, os.environ.get("KBPF_DIR", "/work/shared/tools"))
import kbpf  # noqa: E402


BPF_BTF_LOAD = 18
BPF_MAP_FREEZE = 22


class LockMap:
    """A map whose value is a struct with a bpf_spin_lock at `lock_off` (needs BTF)."""

    def __init__(self, mtype, key_size, value_size, max_entries, lock_off, flags=0):
        strs = b"\0int\0bpf_spin_lock\0val\0value\0lock\0"
        o_int, o_bsl, o_val, o_value, o_lock = 1, 5, 19, 23, 29
        types = struct.pack("<III", o_int, 1 << 24, 4) + struct.pack("<I", 32)          # [1] int
        types += struct.pack("<III", o_bsl, (4 << 24) | 1, 4) + struct.pack("<III", o_val, 1, 0)  # [2]
        types += struct.pack("<III", o_value, (4 << 24) | 1, value_size)                 # [3]
        types += struct.pack("<III", o_lock, 2, lock_off * 8)
        hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
        self.btf_fd = btf_load(hdr + types + strs)
        mt = kbpf.map_types()[mtype] if isinstance(mtype, str) else mtype
        a = kbpf._attr()
        struct.pack_into("<IIIIIII", a, 0, mt, key_size, value_size, max_entries, flags, 0, 0)
        struct.pack_into("<III", a, 48, self.btf_fd, 1 if key_size == 4 else 0, 3)
        try:
            self.fd = kbpf.sys_bpf(kbpf.BPF_MAP_CREATE, a)
        except Exception:
            os.close(self.btf_fd)
            raise
        self.type, self.key_size, self.value_size, self.max_entries = mt, key_size, value_size, max_entries
        self.name = ""

    def close(self):
        os.close(self.fd)
        os.close(self.btf_fd)


def subprog_starts(code):
    """Instruction indexes where subprograms start (bpf-to-bpf call and ld_imm64 func targets)."""
    n = len(code) // 8
    starts = {0}
    i = 0
    while i < n:
        op, regs = code[i * 8], code[i * 8 + 1]
        src = regs >> 4
        imm = struct.unpack_from("<i", code, i * 8 + 4)[0]
        if op == 0x85 and src == 1:
            starts.add(i + 1 + imm)
        if op == 0x18:
            if src == 4:
                starts.add(i + 1 + imm)
            i += 2
            continue
        i += 1
    return sorted(s for s in starts if 0 <= s < n)


def make_btf(nfuncs):
    """BTF: [1] int, [2] int (void) proto, [3..] FUNC fN (main global, others static)."""
    strs = b"\0int\0" + b"".join(b"f%d\0" % k for k in range(nfuncs))
    types = struct.pack("<III", 1, 1 << 24, 4) + struct.pack("<I", 32)
    types += struct.pack("<III", 0, 13 << 24, 1)
    off = 5
    for k in range(nfuncs):
        types += struct.pack("<III", off, (12 << 24) | (1 if k == 0 else 0), 2)
        off += len(b"f%d" % k) + 1
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
    return hdr + types + strs


def btf_load(blob):
    buf = ctypes.create_string_buffer(blob, len(blob))
    log = ctypes.create_string_buffer(1 << 16)
    a = kbpf._attr()
    struct.pack_into("<QQIII", a, 0, kbpf._addr(buf), kbpf._addr(log), len(blob), 1 << 16, 1)
    try:
        return kbpf.sys_bpf(BPF_BTF_LOAD, a)
    except kbpf.BpfError as e:
        raise RuntimeError("BTF load failed: %s %s" % (e, log.value.decode(errors="replace")))


def load_with_func_info(code, ptype, log_level, license, flags):
    """BPF_PROG_LOAD with prog_btf_fd and func_info; returns (ok, errno, log, processed)."""
    t, eat, btf_id, fl = kbpf.resolve_type(ptype)
    starts = subprog_starts(code)
    btf_fd = btf_load(make_btf(len(starts)))
    try:
        finfo = b"".join(struct.pack("<II", s, 3 + k) for k, s in enumerate(starts))
        fbuf = ctypes.create_string_buffer(finfo, len(finfo))
        lic = ctypes.create_string_buffer(license.encode())
        ibuf = ctypes.create_string_buffer(bytes(code), len(code))
        level = {0: 4, 1: 1 | 4, 2: 2 | 4}.get(log_level, log_level)
        log_size = 1 << 20
        while True:
            logbuf = ctypes.create_string_buffer(log_size)
            a = kbpf._attr()
            struct.pack_into("<IIQQIIQII", a, 0, t, len(code) // 8, kbpf._addr(ibuf), kbpf._addr(lic),
                             level, log_size, kbpf._addr(logbuf), 0, flags | fl)
            struct.pack_into("<II", a, 64, 0, eat)
            struct.pack_into("<IIQI", a, 72, btf_fd, 8, kbpf._addr(fbuf), len(starts))
            try:
                fd = kbpf.sys_bpf(kbpf.BPF_PROG_LOAD, a)
                os.close(fd)
                ok, err = True, 0
            except kbpf.BpfError as e:
                ok, err = False, e.errno
            log = logbuf.value.decode(errors="replace")
            if err == errno.ENOSPC and log_size < (1 << 30) - 1:
                log_size = min(log_size * 4, (1 << 30) - 1)
                continue
            break
        m = re.search(r"processed (\d+) insns", log)
        return ok, err, log, int(m.group(1)) if m else None
    finally:
        os.close(btf_fd)


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
                if m.get("spin_lock_off") is not None:
                    maps.append(LockMap(m["type"], m["key_size"], m["value_size"], m["max_entries"],
                                        m["spin_lock_off"], m.get("flags", 0)))
                    continue
                maps.append(kbpf.Map(m["type"], m["key_size"], m["value_size"], m["max_entries"],
                                     m.get("name", ""), m.get("flags", 0)))
                if m.get("init_hex"):
                    maps[-1].update(bytes(m["key_size"]), bytes.fromhex(m["init_hex"]))
                if m.get("freeze"):
                    a = kbpf._attr()
                    struct.pack_into("<I", a, 0, maps[-1].fd)
                    kbpf.sys_bpf(BPF_MAP_FREEZE, a)
            code = kbpf.patch_maps(bytes.fromhex(req["hex"]), maps)
            if req.get("func_info"):
                ok, err, log, processed = load_with_func_info(
                    code, req.get("prog_type", "socket_filter"), req.get("log_level", 1),
                    req.get("license", "GPL"), req.get("prog_flags", 0))
                out.update(accepted=ok, errno=None if ok else err, processed=processed, log=log)
                print(json.dumps(out), flush=True)
                continue
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
