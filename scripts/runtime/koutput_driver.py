#!/usr/bin/env python3
"""Run ring buffer / perf buffer programs in the real kernel and read what user space sees.

Input (stdin), one JSON object:
  {"kind": "ringbuf", "size": 4096, "steps": [STEP, ...]}
  {"kind": "perf", "pages": 1, "steps": [STEP, ...]}
  {"kind": "bench", "target": "ringbuf"|"perf", "size"|"pages": N, "code": HEX, "repeat": N}
STEP:
  {"code": HEX}     an XDP program (map 0: the ringbuf / perf event array, map 1: a
                    1-entry array of 256 bytes whose value address the program loads for its
                    results; map 2: a 1-entry per-CPU array, the "scratch" of bench programs); test-run once on CPU 0 -> "errno" (load), "results" (HEX of map 1)
  {"consume": true} read records as libbpf does -> "records":
                    ringbuf: [{"len", "discard", "pg_off", "data"}] (every record, discarded ones too)
                    perf: [{"type", "size", "data"} | {"type", "lost"}] for CPU 0's buffer
After every step: ringbuf "cons", "prod", "ring" (HEX of the data pages); perf "head", "tail".
Bench: runs the program `repeat` times with BPF_PROG_TEST_RUN on CPU 0 -> "ns" per run and
"records" (how many records the run left in the buffer, to check nothing was dropped);
"wakeup_events" (perf, default 1 as libbpf) sets the events' wakeup_events.
The process pins itself to CPU 0. Never attaches or pins anything; every fd is closed.
`--check` exits 0 when a ring buffer map can be created here.
"""
import ctypes, json, mmap, os, struct, sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "tools"))
import kbpf  # noqa: E402

PAGE = 4096
libc = ctypes.CDLL(None, use_errno=True)
NR_PERF_EVENT_OPEN = 298


def perf_open(cpu, wakeup=1):
    attr = ctypes.create_string_buffer(128)
    # type SOFTWARE, size, config BPF_OUTPUT, sample_period 1, sample_type RAW, wakeup_events 1
    struct.pack_into("<IIQQQ", attr, 0, 1, 128, 10, 1, 1 << 10)
    struct.pack_into("<I", attr, 48, wakeup)
    fd = libc.syscall(NR_PERF_EVENT_OPEN, attr, -1, cpu, -1, 8)  # PERF_FLAG_FD_CLOEXEC
    if fd < 0:
        raise OSError(ctypes.get_errno(), "perf_event_open")
    return fd


def ncpus():
    with open("/sys/devices/system/cpu/possible") as f:
        s = f.read().strip()
    n = 0
    for part in s.split(","):
        a, _, b = part.partition("-")
        n = max(n, (int(b) if b else int(a)) + 1)
    return n


class Ring:
    def __init__(self, size):
        self.size = size
        self.map = kbpf.Map(27, 0, 0, size, "rb")
        self.cons = mmap.mmap(self.map.fd, PAGE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE, offset=0)
        self.prod = mmap.mmap(self.map.fd, PAGE + 2 * size, mmap.MAP_SHARED, mmap.PROT_READ, offset=PAGE)

    def positions(self):
        return struct.unpack_from("<Q", self.cons, 0)[0], struct.unpack_from("<Q", self.prod, 0)[0]

    def state(self):
        c, p = self.positions()
        return {"cons": c, "prod": p, "ring": self.prod[PAGE:PAGE + self.size].hex()}

    def consume(self):
        cons, prod = self.positions()
        out = []
        while cons < prod:
            off = PAGE + (cons & (self.size - 1))
            ln, pg = struct.unpack_from("<II", self.prod, off)
            if ln & 0x80000000:
                break
            n = ln & 0x3fffffff
            out.append({"len": n, "discard": bool(ln & 0x40000000), "pg_off": pg, "data": self.prod[off + 8:off + 8 + n].hex()})
            cons += (n + 8 + 7) & ~7
            struct.pack_into("<Q", self.cons, 0, cons)
        return out

    def close(self):
        self.cons.close()
        self.prod.close()
        self.map.close()


class Perf:
    def __init__(self, pages, wakeup=1):
        self.pages = pages
        self.n = ncpus()
        self.map = kbpf.Map(4, 4, 4, self.n, "pb")
        self.fds, self.mm = [], []
        for cpu in range(self.n):
            fd = perf_open(cpu, wakeup)
            self.fds.append(fd)
            # CPU 0 is the one programs run on; the others get one page
            p = pages if cpu == 0 else 1
            self.mm.append(mmap.mmap(fd, (1 + p) * PAGE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE))
            self.map.update(struct.pack("<I", cpu), struct.pack("<I", fd))

    def state(self):
        m = self.mm[0]
        return {"head": struct.unpack_from("<Q", m, 1024)[0], "tail": struct.unpack_from("<Q", m, 1032)[0]}

    def consume(self):
        m = self.mm[0]
        size = self.pages * PAGE
        head, tail = struct.unpack_from("<QQ", m, 1024)
        out = []
        while tail < head:
            off = tail & (size - 1)
            hdr = bytes(m[PAGE + off:PAGE + min(size, off + 8)])
            if len(hdr) < 8:
                hdr += bytes(m[PAGE:PAGE + 8 - len(hdr)])
            typ, misc, sz = struct.unpack("<IHH", hdr)
            rec = bytes(m[PAGE + off:PAGE + min(size, off + sz)])
            if len(rec) < sz:
                rec += bytes(m[PAGE:PAGE + sz - len(rec)])
            if typ == 9:
                n, = struct.unpack_from("<I", rec, 8)
                out.append({"type": "sample", "misc": misc, "size": n, "data": rec[12:12 + n].hex()})
            elif typ == 2:
                out.append({"type": "lost", "lost": struct.unpack_from("<Q", rec, 16)[0]})
            else:
                out.append({"type": typ})
            tail += sz
        struct.pack_into("<Q", m, 1032, tail)
        return out

    def close(self):
        for m in self.mm:
            m.close()
        for fd in self.fds:
            os.close(fd)
        self.map.close()


def run_prog(target, code_hex, repeat=1, scratch=8):
    code = bytes.fromhex(code_hex)
    with kbpf.Map("array", 4, 256, 1, "res") as res, kbpf.Map("percpu_array", 4, scratch, 1, "scratch") as scr:
        code = kbpf.patch_maps(code, [target.map, res, scr])
        with kbpf.prog_load(code, "xdp", log_level=0) as lr:
            if not lr.ok:
                return {"errno": lr.errno, "log": lr.log[-2000:]}
            r = kbpf.test_run(lr.fd, data=bytes(64), repeat=repeat)
            return {"errno": 0, "results": res.lookup(b"\0\0\0\0").hex(), "ns": r.duration}


def main():
    os.sched_setaffinity(0, {0})
    if "--check" in sys.argv:
        Ring(4096).close()
        return
    req = json.load(sys.stdin)
    kind = req["kind"]
    if kind == "bench":
        t = Ring(req["size"]) if req["target"] == "ringbuf" else Perf(req["pages"], req.get("wakeup_events", 1))
        try:
            r = run_prog(t, req["code"], req["repeat"], req.get("scratch", 8))
            r["records"] = len(t.consume())
            print(json.dumps(r))
        finally:
            t.close()
        return
    t = Ring(req["size"]) if kind == "ringbuf" else Perf(req["pages"])
    try:
        steps = []
        for s in req["steps"]:
            r = {"records": t.consume()} if s.get("consume") else run_prog(t, s["code"])
            r.pop("ns", None)
            r.update(t.state())
            steps.append(r)
        print(json.dumps({"steps": steps}))
    finally:
        t.close()


if __name__ == "__main__":
    main()
