#!/usr/bin/env python3
"""Run map operation sequences against real kernel maps; print results as JSON.

Input (stdin): one JSON object per line: {"id": ..., "ops": [op, ...]}.
Ops (maps are referred to by their index in creation order within the line):
  {"op":"create","type":"hash","key_size":4,"value_size":8,"max_entries":4,"flags":0,
   "map_extra":0,"inner":IDX}
  {"op":"update","map":0,"key":HEX,"value":HEX,"flags":0}      (value "@IDX": fd of map IDX)
  {"op":"lookup","map":0,"key":HEX,"flags":0}                  (key null: no key pointer)
  {"op":"delete","map":0,"key":HEX}
  {"op":"next","map":0,"key":HEX|null}
  {"op":"lookup_and_delete","map":0,"key":HEX|null,"flags":0}
  {"op":"freeze","map":0}
  {"op":"keys","map":0}                                         (full get_next_key walk)
  {"op":"lookup_batch","map":0,"in_batch":HEX|null,"count":N,"delete":false,"elem_flags":0}
      -> "count", "keys", "values", "out_batch" (what the kernel wrote back, even with an error)
  {"op":"update_batch","map":0,"keys":[HEX],"values":[HEX],"elem_flags":0}  -> "count"
  {"op":"delete_batch","map":0,"keys":[HEX],"elem_flags":0}                 -> "count"
Output: one line per input: {"id":..., "results":[{"errno":0,"value":HEX?}, ...]}.
A create reports the map's max_entries as the kernel keeps it; a lookup in a map-in-map
reports the inner map as "@IDX" (kernel map ids are not reproducible).
The process pins itself to CPU 0 so that per-CPU LRU lists behave deterministically.
Never attaches or pins anything; every fd is closed at the end of its line.
"""
import ctypes, json, os, struct, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "tools"))
import kbpf  # noqa: E402

MAP_CREATE, LOOKUP, UPDATE, DELETE, NEXT = 0, 1, 2, 3, 4
OBJ_GET_INFO_BY_FD = 15
LOOKUP_AND_DELETE, FREEZE = 21, 22
LOOKUP_BATCH, LOOKUP_AND_DELETE_BATCH, UPDATE_BATCH, DELETE_BATCH = 24, 25, 26, 27
PERCPU = {5, 6, 10, 21}


def ncpus():
    with open("/sys/devices/system/cpu/possible") as f:
        s = f.read().strip()
    n = 0
    for part in s.split(","):
        a, _, b = part.partition("-")
        n += (int(b) - int(a) + 1) if b else 1
    return n


NCPU = ncpus()


class M:
    def __init__(self, spec, maps):
        t = spec["type"]
        self.type = kbpf.map_types()[t] if isinstance(t, str) else t
        self.ks, self.vs = spec.get("key_size", 0), spec.get("value_size", 0)
        a = kbpf._attr()
        inner = maps[spec["inner"]].fd if spec.get("inner") is not None else 0
        struct.pack_into("<IIIIIII", a, 0, self.type, self.ks, self.vs, spec.get("max_entries", 0),
                         spec.get("flags", 0), inner, 0)
        struct.pack_into("<Q", a, 64, spec.get("map_extra", 0))
        self.fd = kbpf.sys_bpf(MAP_CREATE, a)
        # struct bpf_map_info: type, id, key_size, value_size, max_entries, map_flags, ...
        info = ctypes.create_string_buffer(88)
        b = kbpf._attr()
        struct.pack_into("<IIQ", b, 0, self.fd, 88, ctypes.addressof(info))
        kbpf.sys_bpf(OBJ_GET_INFO_BY_FD, b)
        self.id, self.max_entries = struct.unpack_from("<I", info.raw, 4)[0], struct.unpack_from("<I", info.raw, 16)[0]

    def vsz(self):
        return ((self.vs + 7) // 8) * 8 * NCPU if self.type in PERCPU else self.vs

    def elem(self, cmd, key, val, flags=0):
        a = kbpf._attr()
        struct.pack_into("<IIQQQ", a, 0, self.fd, 0, kbpf._addr(key), kbpf._addr(val), flags)
        kbpf.sys_bpf(cmd, a)


def buf(hexstr, size):
    if hexstr is None:
        return None
    b = bytes.fromhex(hexstr)
    return ctypes.create_string_buffer(b, max(size, len(b), 1))


def run_line(req):
    maps, results = [], []
    try:
        for op in req["ops"]:
            r = {"errno": 0}
            try:
                kind = op["op"]
                if kind == "create":
                    maps.append(M(op, maps))
                    r["index"] = len(maps) - 1
                    r["max_entries"] = maps[-1].max_entries
                else:
                    m = maps[op["map"]]
                    if kind == "update":
                        v = op["value"]
                        if isinstance(v, str) and v.startswith("@"):
                            v = struct.pack("<I", maps[int(v[1:])].fd).hex()
                        m.elem(UPDATE, buf(op.get("key"), m.ks), buf(v, m.vsz()), op.get("flags", 0))
                    elif kind in ("lookup", "lookup_and_delete"):
                        vb = ctypes.create_string_buffer(bytes.fromhex(op["value"]) if op.get("value") else b"", max(m.vsz(), 1))
                        m.elem(LOOKUP if kind == "lookup" else LOOKUP_AND_DELETE, buf(op.get("key"), m.ks), vb, op.get("flags", 0))
                        r["value"] = vb.raw[:m.vsz()].hex()
                        if m.type in (12, 13) and r["value"]:
                            mid = struct.unpack("<I", vb.raw[:4])[0]
                            r["value"] = next(("@%d" % i for i, x in enumerate(maps) if x is not None and x.id == mid), r["value"])
                    elif kind == "delete":
                        m.elem(DELETE, buf(op.get("key"), m.ks), None)
                    elif kind == "next":
                        nb = ctypes.create_string_buffer(max(m.ks, 1))
                        m.elem(NEXT, buf(op.get("key"), m.ks), nb)
                        r["value"] = nb.raw[:m.ks].hex()
                    elif kind == "keys":
                        keys, prev = [], None
                        while len(keys) < 100000:
                            nb = ctypes.create_string_buffer(max(m.ks, 1))
                            try:
                                m.elem(NEXT, prev, nb)
                            except kbpf.BpfError as e:
                                if e.errno != 2:
                                    raise
                                break
                            keys.append(nb.raw[:m.ks].hex())
                            prev = ctypes.create_string_buffer(nb.raw[:m.ks], max(m.ks, 1))
                        r["value"] = keys
                    elif kind == "lookup_batch":
                        n = op["count"]
                        kb = ctypes.create_string_buffer(max(m.ks * n, 1))
                        vb = ctypes.create_string_buffer(max(m.vsz() * n, 1))
                        inb = buf(op.get("in_batch"), max(m.ks, 8))
                        outb = ctypes.create_string_buffer(max(m.ks, 8))
                        a = kbpf._attr()
                        struct.pack_into("<QQQQIIQQ", a, 0, kbpf._addr(inb), ctypes.addressof(outb), ctypes.addressof(kb),
                                         ctypes.addressof(vb), n, m.fd, op.get("elem_flags", 0), 0)
                        try:
                            kbpf.sys_bpf(LOOKUP_AND_DELETE_BATCH if op.get("delete") else LOOKUP_BATCH, a)
                        finally:
                            cnt = struct.unpack_from("<I", a, 32)[0]
                            r["count"] = cnt
                            r["keys"] = [kb.raw[i * m.ks:(i + 1) * m.ks].hex() for i in range(cnt)]
                            r["values"] = [vb.raw[i * m.vsz():(i + 1) * m.vsz()].hex() for i in range(cnt)]
                            if m.type in (12, 13):
                                ids = [struct.unpack("<I", bytes.fromhex(v)[:4])[0] for v in r["values"]]
                                r["values"] = [next(("@%d" % j for j, x in enumerate(maps) if x is not None and x.id == mid), "%08x" % mid) for mid in ids]
                            r["out_batch"] = outb.raw.hex()
                    elif kind in ("update_batch", "delete_batch"):
                        keys = b"".join(bytes.fromhex(k) for k in op["keys"])
                        kb = ctypes.create_string_buffer(keys, max(len(keys), 1))
                        vals = b"".join(struct.pack("<I", maps[int(v[1:])].fd) if v.startswith("@") else bytes.fromhex(v)
                                        for v in op.get("values", []))
                        vb = ctypes.create_string_buffer(vals, max(len(vals), 1))
                        a = kbpf._attr()
                        struct.pack_into("<QQQQIIQQ", a, 0, 0, 0, ctypes.addressof(kb), ctypes.addressof(vb) if kind == "update_batch" else 0,
                                         len(op["keys"]), m.fd, op.get("elem_flags", 0), 0)
                        try:
                            kbpf.sys_bpf(UPDATE_BATCH if kind == "update_batch" else DELETE_BATCH, a)
                        finally:
                            r["count"] = struct.unpack_from("<I", a, 32)[0]
                    elif kind == "freeze":
                        a = kbpf._attr()
                        struct.pack_into("<I", a, 0, m.fd)
                        kbpf.sys_bpf(FREEZE, a)
                    else:
                        raise ValueError("unknown op %r" % kind)
            except kbpf.BpfError as e:
                r["errno"] = e.errno
                if op["op"] == "create":
                    maps.append(None)
            results.append(r)
    finally:
        for m in maps:
            if m is not None:
                os.close(m.fd)
    return results


def main():
    try:
        os.sched_setaffinity(0, {0})
    except OSError:
        pass
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        out = {"id": req.get("id"), "ncpus": NCPU, "results": run_line(req)}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
