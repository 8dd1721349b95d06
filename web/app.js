// The playground page: state in the URL hash, all work in the engine's Worker.
import { WabpfWorkerClient } from "./dist/wabpf.js";

const t0 = performance.now();
const $ = (id) => document.getElementById(id);
const client = new WabpfWorkerClient(new URL("./dist/worker.js", import.meta.url));

const EXAMPLE = `# sum the bytes of the input (r1 = memory, r2 = its length)
r0 = 0
r3 = 0
loop:
if r3 >= r2 goto out
r4 = r1
r4 += r3
r5 = *(u8 *)(r4 + 0)
r0 += r5
r3 += 1
goto loop
out:
exit`;

function loadState() {
  const s = { asm: EXAMPLE, mem: "01 02 03 04", progType: "raw", engine: "jit" };
  try {
    if (location.hash.length > 1) Object.assign(s, JSON.parse(decodeURIComponent(escape(atob(location.hash.slice(1))))));
  } catch {
    /* a damaged link: keep the example */
  }
  $("asm").value = s.asm;
  $("mem").value = s.mem;
  $("progType").value = s.progType;
  $("engine").value = s.engine;
}
function saveState() {
  const s = { asm: $("asm").value, mem: $("mem").value, progType: $("progType").value, engine: $("engine").value };
  history.replaceState(null, "", `#${btoa(unescape(encodeURIComponent(JSON.stringify(s))))}`);
}

/** The log, one span per line: the refused instruction and the explanation slice highlighted. */
function showLog(log, failingPc, slice = []) {
  const pre = $("log");
  pre.textContent = "";
  const inSlice = new Set(slice);
  for (const line of log.split("\n")) {
    const span = document.createElement("span");
    span.textContent = line + "\n";
    const m = /^(\d+): \(/.exec(line);
    if (m !== null && failingPc !== null && Number(m[1]) === failingPc) span.className = "failing";
    else if (m !== null && inSlice.has(Number(m[1]))) span.className = "slice";
    pre.appendChild(span);
  }
}

async function doVerify() {
  saveState();
  $("verdict").textContent = "verifying…";
  try {
    const r = await client.verify({ asm: $("asm").value, progType: $("progType").value, memHex: $("mem").value, logLevel: 2 });
    $("verdict").className = `verdict ${r.accepted ? "accepted" : "rejected"}`;
    $("verdict").textContent = r.accepted ? `accepted (${r.insnsProcessed} instructions processed, ${r.ms.toFixed(1)} ms)` : `rejected (errno ${r.errno}): ${r.error}`;
    $("explanation").textContent = r.explanation ?? "";
    showLog(r.log, r.failingPc, r.slice);
  } catch (e) {
    $("verdict").className = "verdict rejected";
    $("verdict").textContent = String(e.message ?? e);
  }
}

async function doRun() {
  saveState();
  $("result").textContent = "running…";
  try {
    const r = await client.run({ asm: $("asm").value, memHex: $("mem").value, engine: $("engine").value, verify: $("verifyFirst").checked, repeat: 1000 });
    $("result").innerHTML = "";
    const line = (k, v) => {
      const d = document.createElement("div");
      d.textContent = `${k}: ${v}`;
      $("result").appendChild(d);
    };
    line("r0", r.r0);
    line("memory after", r.memHex || "(none)");
    if ($("engine").value === "jit") line("compile", `${r.compileMs.toFixed(1)} ms`);
    line("time per run", `${r.nsPerRun.toFixed(0)} ns (1000 runs)`);
    $("result").dataset.r0 = r.r0;
  } catch (e) {
    $("result").textContent = String(e.message ?? e);
    $("result").dataset.r0 = "error";
  }
}

let dropped = null;

async function showMap(name, op = "dump") {
  const view = $("mapView");
  try {
    const text = await client.map({ name, op, keyHex: $("mapKey")?.value, valueHex: $("mapValue")?.value });
    view.innerHTML = "";
    const h = document.createElement("h3");
    h.textContent = `map ${name}`;
    const pre = document.createElement("pre");
    pre.id = "mapDump";
    pre.textContent = text;
    const form = document.createElement("div");
    form.className = "row";
    form.innerHTML = '<label>key <input id="mapKey" size="24"></label><label>value <input id="mapValue" size="32"></label><button id="mapUpdate">Update</button><button id="mapDelete">Delete</button>';
    view.append(h, pre, form);
    $("mapUpdate").onclick = () => showMap(name, "update");
    $("mapDelete").onclick = () => showMap(name, "delete");
  } catch (e) {
    view.textContent = String(e.message ?? e);
  }
}

async function doTrace() {
  const out = $("traceOut");
  out.textContent = "tracing…";
  const which = $("traceObject").value;
  const req = { workload: $("workload").value, iterations: Number($("iterations").value), cpus: Number($("cpus").value) };
  try {
    if (which === "dropped") {
      if (dropped === null) throw new Error("drop a .o first (or pick an example)");
      out.textContent = await client.trace({ ...req, bytes: dropped });
    } else {
      out.textContent = await client.trace({ ...req, url: new URL(which, location.href).href });
    }
    out.dataset.done = "1";
  } catch (e) {
    out.textContent = String(e.message ?? e);
    out.dataset.done = "error";
  }
}

/** Horizontal bars: wabpf's rate per variant next to the series' kernel figure. */
function barChart(results, series) {
  const rows = results.map((r) => ({ name: r.name, ours: r.mean_mps, kernel: series[r.name] ?? null }));
  const max = Math.max(...rows.flatMap((r) => [r.ours, r.kernel ?? 0]), 1);
  const w = 640, left = 140, barH = 12, rowH = 34;
  const h = 30 + rows.length * rowH;
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-size="11" font-family="sans-serif">`;
  svg += `<rect x="${left}" y="6" width="10" height="10" fill="#2b6cb0"/><text x="${left + 14}" y="15">wabpf (M/s)</text>`;
  svg += `<rect x="${left + 110}" y="6" width="10" height="10" fill="#c05621"/><text x="${left + 124}" y="15">kernel, series figure</text>`;
  rows.forEach((r, i) => {
    const y = 26 + i * rowH;
    const bar = (v, dy, color) => `<rect class="bar" x="${left}" y="${y + dy}" width="${Math.max(1, ((w - left - 70) * v) / max).toFixed(1)}" height="${barH}" fill="${color}"/><text x="${left + 4 + ((w - left - 70) * v) / max}" y="${y + dy + 10}">${v.toFixed(1)}</text>`;
    svg += `<text x="4" y="${y + 14}">${r.name}</text>` + bar(r.ours, 0, "#2b6cb0") + (r.kernel !== null ? bar(r.kernel, barH + 2, "#c05621") : "");
  });
  return svg + "</svg>";
}

async function doBench() {
  const view = $("benchView");
  view.textContent = "measuring (a few seconds per variant)…";
  try {
    const r = await client.trigger({ variants: $("variants").value.split(",").map((x) => x.trim()).filter(Boolean) });
    view.innerHTML = barChart(r.results, r.series);
    view.dataset.done = String(r.results.length);
  } catch (e) {
    view.textContent = String(e.message ?? e);
  }
}

async function doObject(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  dropped = bytes.slice();
  const view = $("objectView");
  view.textContent = "loading…";
  try {
    const r = await client.object(bytes);
    view.innerHTML = "<h3>programs</h3>";
    const t = document.createElement("table");
    t.innerHTML = "<tr><th>name</th><th>section</th><th>type</th><th>insns</th><th>verdict</th></tr>";
    for (const p of r.programs) {
      const row = t.insertRow();
      for (const c of [p.name, p.section, p.progType, p.insns, p.accepted ? "accepted" : `rejected: ${p.error}`]) row.insertCell().textContent = String(c);
      row.onclick = () => showLog(p.log, null);
    }
    view.appendChild(t);
    const m = document.createElement("table");
    m.innerHTML = "<tr><th>map</th><th>type</th><th>key</th><th>value</th><th>max entries</th></tr>";
    for (const x of r.maps) {
      const row = m.insertRow();
      for (const c of [x.name, x.type, x.keySize, x.valueSize, x.maxEntries]) row.insertCell().textContent = String(c);
      row.onclick = () => showMap(x.name);
    }
    view.appendChild(document.createElement("h3")).textContent = "maps";
    view.appendChild(m);
  } catch (e) {
    view.textContent = String(e.message ?? e);
  }
}

loadState();
$("verify").onclick = doVerify;
$("run").onclick = doRun;
$("share").onclick = () => {
  saveState();
  navigator.clipboard?.writeText(location.href);
};
$("trace").onclick = doTrace;
$("bench").onclick = doBench;
$("object").onchange = (e) => e.target.files[0] && doObject(e.target.files[0]);
document.body.ondragover = (e) => e.preventDefault();
document.body.ondrop = (e) => {
  e.preventDefault();
  if (e.dataTransfer.files[0]) doObject(e.dataTransfer.files[0]);
};

// for tests and the console
window.wabpf = { client, ready: client.ready };
client.ready.then(() => {
  const ms = performance.now() - t0;
  $("status").textContent = `engine ready in ${ms.toFixed(0)} ms (in a worker)`;
  document.body.dataset.ready = String(Math.round(ms));
});
