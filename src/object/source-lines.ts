// The kernel's verbose_linfo for verifier logs: the C source line (from .BTF.ext line info)
// before the first instruction it covers.
import { extRecordsFor, type BtfExt } from "../loader/btf-ext.js";
import type { ProgramSpecOfObject } from "../loader/object.js";

/** One source line: the first instruction slot it covers and its log text. */
export interface SourceLine {
  readonly slot: number;
  readonly text: string;
}

/**
 * Before an instruction line, the C source line covering it (`; <text> @ <file>:<line>`),
 * whenever it differs from the last one printed.
 */
export function withSourceLines(log: string, linfo: readonly SourceLine[]): string {
  if (linfo.length === 0) return log;
  let prev: string | null = null;
  const out: string[] = [];
  for (const line of log.split("\n")) {
    const m = /^(\d+): \([0-9a-f]{2}\) /.exec(line);
    if (m !== null) {
      const pc = Number(m[1]);
      let cover: string | null = null;
      for (const l of linfo) {
        if (l.slot > pc) break;
        cover = l.text;
      }
      if (cover !== null && cover !== prev) out.push(cover);
      prev = cover ?? prev;
    }
    out.push(line);
  }
  return out.join("\n");
}

/** The source line covering instruction slot `pc` (`; text @ file.c:N`), or undefined. */
export function sourceLineAt(linfo: readonly SourceLine[], pc: number): string | undefined {
  let cover: string | undefined;
  for (const l of linfo) {
    if (l.slot > pc) break;
    cover = l.text;
  }
  return cover;
}

/** A program's line info by instruction slot (its own section, then .text where appended). */
export function programLineInfo(ext: BtfExt | null, p: ProgramSpecOfObject): SourceLine[] {
  if (ext === null) return [];
  const out: SourceLine[] = [];
  const slotOf = new Map(p.origin.map((o, i) => [`${o.section}:${o.offset}`, i]));
  for (const section of new Set(p.origin.map((o) => o.section))) {
    for (const r of extRecordsFor(ext.lineInfo, section)) {
      const slot = slotOf.get(`${section}:${r.insnOff}`);
      if (slot === undefined) continue;
      const file = r.fileName.slice(r.fileName.lastIndexOf("/") + 1);
      out.push({ slot, text: `; ${r.line.trim()} @ ${file}:${r.lineNum}` });
    }
  }
  return out.sort((a, b) => a.slot - b.slot);
}
