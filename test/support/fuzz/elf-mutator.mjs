// Structure-aware mutations of ELF eBPF objects: the fields the loader trusts (section header
import { prng, inputSeed } from "./prng.mjs";
// sizes and offsets, symbol sizes and values, relocations), the BTF and BTF.ext headers and
// records, program bytecode, plus plain bit flips and truncation.

/** @typedef {{ name: string, type: number, offset: number, size: number, entsize: number, hdr: number }} Section */

/** Section headers of a little-endian ELF64 object (null when the header is unreadable). */
export function sections(buf) {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 64) return null;
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  if (shentsize !== 64 || shoff + shnum * 64 > buf.length || shstrndx >= shnum) return null;
  const raw = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * 64;
    raw.push({ nameOff: v.getUint32(h, true), type: v.getUint32(h + 4, true), offset: Number(v.getBigUint64(h + 0x18, true)), size: Number(v.getBigUint64(h + 0x20, true)), entsize: Number(v.getBigUint64(h + 0x38, true)), hdr: h });
  }
  const strtab = raw[shstrndx];
  const name = (off) => {
    let s = "";
    for (let p = strtab.offset + off; p < buf.length && buf[p] !== 0 && s.length < 64; p++) s += String.fromCharCode(buf[p]);
    return s;
  };
  return raw.map((r) => ({ name: name(r.nameOff), type: r.type, offset: r.offset, size: r.size, entsize: r.entsize, hdr: r.hdr }));
}

const INTERESTING32 = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];
const INTERESTING64 = [0n, 1n, 8n, 0x1000n, 0x7fffffffn, 0xffffffffn, 0x100000000n, 0x7f00000000n, 0x7fffffffffffffffn, 0xffffffffffffffffn];

/** @param {Uint8Array} buf @param {ReturnType<import("./prng.mjs").prng>} r */
function set32(buf, off, r) {
  if (off < 0 || off + 4 > buf.length) return;
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const old = v.getUint32(off, true);
  const val = r.next() < 0.6 ? r.pick(INTERESTING32) : (old + r.int(64) - 32) >>> 0;
  v.setUint32(off, val >>> 0, true);
}
function set64(buf, off, r) {
  if (off < 0 || off + 8 > buf.length) return;
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  v.setBigUint64(off, r.next() < 0.7 ? r.pick(INTERESTING64) : v.getBigUint64(off, true) + BigInt(r.int(64) - 32), true);
}

/** One structure-aware mutation; returns its name (for the report). */
function mutateOnce(buf, secs, r) {
  const byName = (re) => secs.filter((s) => re.test(s.name));
  const kinds = ["bitflip", "byte", "shdr", "symbol", "reloc", "btf-header", "btf-type", "btf-ext", "insn", "insn-imm"];
  const kind = r.pick(kinds);
  const inSec = (s) => s.offset + r.int(Math.max(1, s.size));
  switch (kind) {
    case "bitflip": {
      const p = r.int(buf.length);
      buf[p] ^= 1 << r.int(8);
      return kind;
    }
    case "byte": {
      buf[r.int(buf.length)] = r.pick([0, 0xff, 0x7f, 0x80, r.int(256)]);
      return kind;
    }
    case "shdr": {
      const s = r.pick(secs);
      const field = r.pick([0x18, 0x20, 0x38, 0x28, 0x2c]); // offset, size, entsize, link, info
      if (field === 0x28 || field === 0x2c) set32(buf, s.hdr + field, r);
      else set64(buf, s.hdr + field, r);
      return `${kind}:${s.name}+${field}`;
    }
    case "symbol": {
      const st = r.pick(secs.filter((s) => s.type === 2));
      if (st === undefined || st.size < 24) return kind;
      const e = st.offset + 24 * r.int(Math.floor(st.size / 24));
      const field = r.pick([0, 6, 8, 16]); // name, shndx, value, size
      if (field === 6) set32(buf, e + 4, r); // info/other/shndx bytes
      else if (field === 0) set32(buf, e, r);
      else set64(buf, e + field, r);
      return `${kind}+${field}`;
    }
    case "reloc": {
      const rs = r.pick(secs.filter((s) => s.type === 9 || s.type === 4));
      if (rs === undefined || rs.size < 16) return kind;
      const e = rs.offset + 16 * r.int(Math.floor(rs.size / 16));
      if (r.next() < 0.5) set64(buf, e, r);
      else set32(buf, e + 8 + r.pick([0, 4]), r);
      return `${kind}:${rs.name}`;
    }
    case "btf-header": {
      const b = byName(/^\.BTF$/)[0];
      if (b === undefined) return kind;
      set32(buf, b.offset + r.pick([4, 8, 12, 16, 20]), r);
      return kind;
    }
    case "btf-type": {
      const b = byName(/^\.BTF$/)[0];
      if (b === undefined || b.size < 24) return kind;
      const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      const hdrLen = v.getUint32(b.offset + 4, true);
      const typeOff = v.getUint32(b.offset + 8, true);
      const typeLen = v.getUint32(b.offset + 12, true);
      const start = b.offset + hdrLen + typeOff;
      if (typeLen < 4 || start + typeLen > buf.length) return kind;
      set32(buf, start + 4 * r.int(Math.floor(typeLen / 4)), r);
      return kind;
    }
    case "btf-ext": {
      const b = byName(/^\.BTF\.ext$/)[0];
      if (b === undefined || b.size < 8) return kind;
      set32(buf, b.offset + 4 * r.int(Math.floor(b.size / 4)), r);
      return kind;
    }
    case "insn":
    case "insn-imm": {
      const progs = secs.filter((s) => s.type === 1 && s.size >= 8 && /^(\.text|[a-z_]+[./]|socket|xdp|kprobe|tp|raw_tp|fentry|fexit|tracepoint|uprobe|perf_event|classifier|tc)/.test(s.name));
      const s = r.pick(progs);
      if (s === undefined) return kind;
      const at = s.offset + 8 * r.int(Math.floor(s.size / 8));
      if (kind === "insn") buf[at + r.int(2)] = r.int(256);
      else set32(buf, at + 4, r);
      return `${kind}:${s.name}`;
    }
  }
  return kind;
}

/**
 * A mutated copy of `seed`: 1–4 structure-aware mutations, sometimes a truncation.
 * @param {Uint8Array} seed @param {ReturnType<import("./prng.mjs").prng>} r
 */
export function mutateElf(seed, r) {
  let buf = seed.slice();
  const secs = sections(buf) ?? [];
  const done = [];
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) {
    if (secs.length === 0 || r.next() < 0.1) {
      buf[r.int(buf.length)] ^= 1 << r.int(8);
      done.push("bitflip");
    } else done.push(mutateOnce(buf, secs, r));
  }
  if (r.next() < 0.08) {
    buf = buf.subarray(0, r.int(buf.length));
    done.push("truncate");
  }
  return { bytes: buf, mutations: done };
}

/** Input `index` of a campaign seeded with `seed` over `seeds`: the same bytes every time. */
export function campaignInput(seeds, seed, index) {
  const r = prng(inputSeed(seed, index));
  return mutateElf(seeds[r.int(seeds.length)], r);
}
