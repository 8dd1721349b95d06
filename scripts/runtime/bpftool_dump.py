#!/usr/bin/env python3
"""Fill real kernel maps and print what `bpftool map dump` (plain and -j) shows for them.

In (stdin, one JSON object per line): {"id":..., "type":"hash", "key_size":4, "value_size":8,
  "max_entries":4, "flags":0, "entries":[[KEYHEX, VALHEX], ...]}   (per-CPU: all CPUs' values)
Out: {"id":..., "plain": TEXT, "json": TEXT}. The map is read by id while this process holds
its fd; nothing is pinned or attached.
"""
import ctypes, json, os, struct, subprocess, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "tools"))
import kbpf  # noqa: E402


def map_id(fd):
    info = ctypes.create_string_buffer(88)
    a = kbpf._attr()
    struct.pack_into("<IIQ", a, 0, fd, 88, ctypes.addressof(info))
    kbpf.sys_bpf(15, a)
    return struct.unpack_from("<I", info.raw, 4)[0]


for line in sys.stdin:
    if not line.strip():
        continue
    req = json.loads(line)
    m = kbpf.Map(req["type"], req["key_size"], req["value_size"], req["max_entries"], flags=req.get("flags", 0))
    try:
        for k, v in req.get("entries", []):
            kb = ctypes.create_string_buffer(bytes.fromhex(k), max(req["key_size"], 1))
            vb = ctypes.create_string_buffer(bytes.fromhex(v), max(len(v) // 2, 1))
            a = kbpf._attr()
            struct.pack_into("<IIQQQ", a, 0, m.fd, 0, ctypes.addressof(kb) if req["key_size"] else 0, ctypes.addressof(vb), 0)
            kbpf.sys_bpf(2, a)
        mid = str(map_id(m.fd))
        plain = subprocess.run(["bpftool", "map", "dump", "id", mid], capture_output=True, text=True)
        js = subprocess.run(["bpftool", "-j", "map", "dump", "id", mid], capture_output=True, text=True)
        print(json.dumps({"id": req.get("id"), "plain": plain.stdout + plain.stderr, "json": js.stdout}), flush=True)
    finally:
        m.close()
