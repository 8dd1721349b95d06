// Bench output: a table on stdout, bench/results/<name>.json and a markdown report with an
// SVG bar chart, all regenerated from the measurements of the run.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const RESULTS = fileURLToPath(new URL("../results/", import.meta.url));

export function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const width = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(width[i]) : c.padStart(width[i]))).join("  ");
  return [line(cells[0]), width.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export function markdownTable(headers, rows) {
  return [`| ${headers.join(" | ")} |`, `| ${headers.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

/** Horizontal grouped bars: groups [{label, bars: [{name, value}]}], value axis in `unit`. */
export function barChartSvg(title, groups, unit) {
  const names = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.name)))];
  const colors = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1"];
  const max = Math.max(...groups.flatMap((g) => g.bars.map((b) => b.value)), 1e-9);
  const barH = 14, gap = 10, left = 170, width = 720, plot = width - left - 90;
  const height = 50 + groups.length * (names.length * barH + gap) + 30;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="10" y="18" font-size="14" font-weight="bold">${esc(title)}</text>`];
  names.forEach((n, i) => out.push(`<rect x="${left + i * 120}" y="28" width="10" height="10" fill="${colors[i % colors.length]}"/><text x="${left + i * 120 + 14}" y="37">${esc(n)}</text>`));
  let y = 50;
  for (const g of groups) {
    out.push(`<text x="10" y="${y + (names.length * barH) / 2 + 4}">${esc(g.label)}</text>`);
    names.forEach((n, i) => {
      const b = g.bars.find((x) => x.name === n);
      if (b !== undefined) {
        const w = Math.max(1, (b.value / max) * plot);
        out.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH - 2}" fill="${colors[i % colors.length]}"/>`);
        out.push(`<text x="${left + w + 4}" y="${y + barH - 4}">${fmt(b.value)} ${esc(unit)}</text>`);
      }
      y += barH;
    });
    y += gap;
  }
  out.push("</svg>");
  return out.join("\n");
}

export function writeResults(name, json, markdown, svg) {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(`${RESULTS}${name}.json`, JSON.stringify(json, null, 2) + "\n");
  if (svg !== undefined) writeFileSync(`${RESULTS}${name}.svg`, svg + "\n");
  writeFileSync(`${RESULTS}${name}.md`, markdown + "\n");
}

export const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

export function geomean(xs) {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}
