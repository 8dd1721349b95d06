#!/usr/bin/env python3
"""Record how the real kernel prints instructions (verifier log level 2) as golden data.

Builds programs that the verifier accepts and that cover every printable opcode group,
loads them through ../shared/tools/kbpf.py, and writes test/asm/golden/kernel-disasm.tsv:
a "# kernel <release>" line, then one instruction per line, "<slot bytes, 16 or 32 hex
digits><TAB><line without the index>" (read by test/support/golden.ts).
Run from the repository root: python3 scripts/asm/record-disasm-golden.py
"""
import os, re, struct, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KBPF = os.path.join(ROOT, "..", "shared", "tools", "kbpf.py")
OUT = os.path.join(ROOT, "test", "asm", "golden", "kernel-disasm.tsv")


def I(code, dst=0, src=0, off=0, imm=0):
    return struct.pack("<BBhi", code, (src << 4) | dst, off, imm)


def program():
    p = [I(0xB7, r, 0, 0, r + 1) for r in range(10)]
    p += [I(0x18, 1, 0, 0, 0x55667788), I(0, 0, 0, 0, 0x11223344)]
    p += [I(0x18, 2, 0, 0, -1), I(0, 0, 0, 0, -1)]
    p += [I(0x18, 2, 0, 0, 5), I(0, 0, 0, 0, 0)]
    for cls in (0x07, 0x04):
        for op in (0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xA0, 0xB0, 0xC0):
            p += [I(cls | op, 3, 0, 0, 3 if op in (0x60, 0x70, 0xC0) else -5), I(cls | op | 8, 3, 4, 0, 0)]
        p += [I(cls | 0x30, 3, 0, 1, 7), I(cls | 0x38, 3, 4, 1, 0), I(cls | 0x90, 3, 0, 1, 7), I(cls | 0x98, 3, 4, 1, 0)]
        p += [I(cls | 0x80, 3), I(cls | 0xB8, 3, 4, 8, 0), I(cls | 0xB8, 3, 4, 16, 0)]
    p.append(I(0xBF, 3, 4, 32, 0))
    for w in (16, 32, 64):
        p += [I(0xD4, 5, 0, 0, w), I(0xDC, 5, 0, 0, w), I(0xD7, 5, 0, 0, w)]
    for sz in (0x18, 0x00, 0x08, 0x10):
        p += [I(0x63 | sz, 10, 6, -8, 0), I(0x62 | sz, 10, 0, -16, -7), I(0x61 | sz, 7, 10, -8, 0)]
    p += [I(0x81 | sz, 7, 10, -8, 0) for sz in (0x00, 0x08, 0x10)]
    p.append(I(0x7B, 10, 6, -24, 0))
    for op in (0x00, 0x40, 0x50, 0xA0, 0x01, 0x41, 0x51, 0xA1, 0xE1, 0xF1):
        p += [I(0xDB, 10, 6, -24, op), I(0xC3, 10, 6, -24, op)]
    for sz in (0x18, 0x00, 0x08, 0x10):
        p += [I(0xC3 | sz, 7, 10, -24, 0x100), I(0xC3 | sz, 10, 7, -24, 0x110)]
    p.append(I(0xB7, 0, 0, 0, 0))
    for cls in (0x05, 0x06):
        for op in (0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xA0, 0xB0, 0xC0, 0xD0):
            p += [I(cls | op, 8, 0, 0, -3), I(cls | op | 8, 8, 9, 0, 0)]
    p += [I(0x05, 0, 0, 0, 0), I(0x06, 0, 0, 0, 0)]
    p += [I(0x85, 0, 0, 0, 5), I(0x85, 0, 0, 0, 7), I(0x85, 0, 1, 0, 2)]
    p += [I(0xB7, 0, 0, 0, 0), I(0x95), I(0xB7, 0, 0, 0, 1), I(0x95)]
    return b"".join(p)


def main():
    code = program()
    res = subprocess.run([sys.executable, KBPF, "verify", "-e", code.hex(), "-t", "socket_filter", "-l", "2"],
                         capture_output=True, text=True, check=False)
    if not res.stdout.startswith("ACCEPT"):
        sys.exit("kernel rejected the golden program:\n" + res.stdout[-2000:] + res.stderr)
    seen = {}
    for line in res.stdout.splitlines():
        m = re.match(r"^\s*\|?\s*(\d+): \(([0-9a-f]{2})\) (.*?)(?:\s+;.*)?$", line)
        if not m:
            continue
        idx = int(m.group(1))
        width = 16 if code[idx * 8] == 0x18 else 8
        seen[idx] = {"hex": code[idx * 8: idx * 8 + width].hex(), "text": "(%s) %s" % (m.group(2), m.group(3).rstrip())}
    rows = [seen[k] for k in sorted(seen)]
    with open(OUT, "w") as f:
        f.write("# kernel %s\n" % os.uname().release)
        for r in rows:
            if "\t" in r["text"]:
                sys.exit("a tab in the kernel's line breaks the TSV: %r" % r["text"])
            f.write("%s\t%s\n" % (r["hex"], r["text"]))
    print("wrote %d rows to %s" % (len(rows), OUT))


if __name__ == "__main__":
    main()
