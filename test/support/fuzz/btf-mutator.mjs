// Structure-aware mutations of a .BTF section: the header fields (lengths and offsets), the
// type records (kind, vlen, size/type, name offsets, member and array fields), and the string
// table. Each input is reproducible from (seed, index) through inputSeed.
import { prng, inputSeed } from "./prng.mjs";

const HEADER = 24;
const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

/** Bytes after the 12-byte common record of a type of `kind` with `vlen` entries. */
function extraSize(kind, vlen) {
  switch (kind) {
    case 1: case 14: case 17: return 4; // INT, VAR, DECL_TAG
    case 3: return 12; // ARRAY
    case 4: case 5: case 15: case 19: return vlen * 12; // STRUCT, UNION, DATASEC, ENUM64
    case 6: case 13: return vlen * 8; // ENUM, FUNC_PROTO
    default: return 0;
  }
}

/** Offsets of the type records of a well-formed .BTF (stops at the first unreadable one). */
export function typeRecords(buf) {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < HEADER) return [];
  const hdrLen = v.getUint32(4, true);
  const start = hdrLen + v.getUint32(8, true);
  const end = start + v.getUint32(12, true);
  const out = [];
  for (let p = start; p + 12 <= Math.min(end, buf.length); ) {
    const info = v.getUint32(p + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const next = p + 12 + extraSize(kind, info & 0xffff);
    out.push({ off: p, kind, end: next });
    p = next;
  }
  return out;
}

function mutateOnce(buf, recs, r) {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const val = () => (r.int(3) === 0 ? r.int(0x10000) : r.pick(INTERESTING)) >>> 0;
  const rec = recs.length > 0 ? r.pick(recs) : undefined;
  const op = r.int(9);
  if (op === 0 && buf.length >= HEADER) {
    // hdr_len, type_off, type_len, str_off, str_len
    const field = r.pick([4, 8, 12, 16, 20]);
    v.setUint32(field, r.int(2) === 0 ? val() : (v.getUint32(field, true) + r.int(17) - 8) >>> 0, true);
    return `hdr@${field}`;
  }
  if (op === 1 && buf.length >= 4) {
    v.setUint8(r.int(2) === 0 ? 2 : 3, r.int(256)); // version, flags
    return "hdr-version-flags";
  }
  if (rec !== undefined && rec.off + 12 <= buf.length) {
    const info = v.getUint32(rec.off + 4, true);
    if (op === 2) {
      v.setUint32(rec.off + 4, (info & ~(0x1f << 24)) | (r.int(32) << 24), true);
      return `kind@${rec.off}`;
    }
    if (op === 3) {
      v.setUint32(rec.off + 4, (info & ~0xffff) | (r.pick(INTERESTING) & 0xffff), true);
      return `vlen@${rec.off}`;
    }
    if (op === 4) {
      v.setUint32(rec.off + 4, info ^ (1 << r.int(32)), true);
      return `info-bit@${rec.off}`;
    }
    if (op === 5) {
      v.setUint32(rec.off + 8, val(), true);
      return `size-type@${rec.off}`;
    }
    if (op === 6) {
      v.setUint32(rec.off, val(), true);
      return `name_off@${rec.off}`;
    }
    if (op === 7 && rec.end > rec.off + 12 && rec.end <= buf.length) {
      // a word of the kind-specific tail: member name/type/offset, array elem/index/nelems, int encoding
      const at = rec.off + 12 + 4 * r.int((rec.end - rec.off - 12) / 4);
      v.setUint32(at, val(), true);
      return `tail@${at}`;
    }
  }
  if (r.int(4) === 0) {
    const cut = r.int(buf.length + 1);
    return `truncate@${cut}`;
  }
  const at = r.int(Math.max(1, buf.length));
  if (at < buf.length) buf[at] ^= 1 << r.int(8);
  return `bitflip@${at}`;
}

/**
 * Input `index` of a BTF campaign seeded with `seed`: one of `seeds` (raw .BTF sections) with
 * one to four mutations. Returns the bytes, the seed's position and the mutations applied.
 */
export function btfCampaignInput(seeds, seed, index) {
  const r = prng(inputSeed(seed, index));
  const from = r.int(seeds.length);
  let buf = Uint8Array.from(seeds[from]);
  const recs = typeRecords(buf);
  const mutations = [];
  for (let n = 1 + r.int(4); n > 0; n--) {
    const m = mutateOnce(buf, recs, r);
    if (m.startsWith("truncate@")) buf = buf.slice(0, Number(m.slice(9)));
    mutations.push(m);
  }
  return { bytes: buf, from, mutations };
}
