// The playground in real Chromium (Debian's /usr/bin/chromium through playwright-core): load the
// page, assemble, verify and run a program, check the result and the log, run a slice of the
// bpf_conformance vectors in the page, and save a screenshot under test-results/.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { playgroundServer } from "../../src/cli/commands/serve.js";

const CHROMIUM = process.env["CHROMIUM"] ?? "/usr/bin/chromium";
const BUNDLE = fileURLToPath(new URL("../../web/dist/worker.js", import.meta.url));
const CONFORMANCE = fileURLToPath(new URL("../../../shared/conformance", import.meta.url));
const RESULTS = fileURLToPath(new URL("../../test-results/", import.meta.url));
const why = !existsSync(CHROMIUM) ? `${CHROMIUM} is missing (apt-get install chromium)` : !existsSync(BUNDLE) ? `${BUNDLE} is not built (npm run build)` : null;
if (why !== null) console.warn(`[skip] browser tests: ${why}`);

describe.skipIf(why !== null)("the playground in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let base = "";
  const server = playgroundServer();

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    });
    // a fresh context: a fresh, throw-away user data dir
    page = await (await browser.newContext()).newPage();
    page.on("pageerror", (e) => console.error(`[page] ${e.message}`));
    await page.goto(base);
    await page.waitForFunction(() => document.body.dataset["ready"] !== undefined, undefined, { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server.close();
  });

  it("loads the engine in a worker and reports its cold start", async () => {
    const ms = Number(await page.evaluate(() => document.body.dataset["ready"]));
    console.info(`playground engine ready ${ms} ms after the page started`);
    expect(ms).toBeGreaterThan(0);
  });

  it("verifies and runs the example with the kernel-format log", async () => {
    await page.click("#verify");
    await page.waitForFunction(() => /accepted|rejected/.test(document.getElementById("verdict")!.textContent ?? ""));
    expect(await page.textContent("#verdict")).toMatch(/^accepted \(\d+ instructions processed/);
    expect(await page.textContent("#log")).toMatch(/processed \d+ insns \(limit 1000000\) max_states_per_insn/);
    await page.click("#run");
    await page.waitForFunction(() => document.getElementById("result")!.dataset["r0"] !== undefined);
    expect(await page.getAttribute("#result", "data-r0")).toBe("0xa");
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: join(RESULTS, "playground.png"), fullPage: true });
  });

  it("shows a rejection with the kernel's message, the failing line highlighted and an explanation", async () => {
    await page.fill("#asm", "r0 = *(u64 *)(r1 + 8)\nexit");
    await page.click("#verify");
    await page.waitForFunction(() => /rejected/.test(document.getElementById("verdict")!.textContent ?? ""));
    expect(await page.textContent("#verdict")).toBe("rejected (errno 13): invalid access to map value, value_size=4 off=8 size=8");
    expect(await page.textContent("#explanation")).toMatch(/^explanation: invalid access to map value/);
    expect(await page.textContent("#log .failing")).toMatch(/^8: \(79\) r0 = \*\(u64 \*\)\(r1 \+8\)/);
    // the explanation slice: where r1 came from (the harness's map value load)
    expect((await page.locator("#log .slice").allTextContents()).some((l) => /^0: \(18\) r1 = /.test(l))).toBe(true);
    // the state is in the URL: a reload shows the same program
    await page.reload();
    await page.waitForFunction(() => document.body.dataset["ready"] !== undefined);
    expect(await page.inputValue("#asm")).toBe("r0 = *(u64 *)(r1 + 8)\nexit");
  });

  it("opens a dropped .o: programs with verdicts, maps", async () => {
    await page.setInputFiles("#object", fileURLToPath(new URL("../fixtures/object/counters.o", import.meta.url)));
    await page.waitForFunction(() => (document.getElementById("objectView")!.textContent ?? "").includes("count_packets"));
    const text = await page.textContent("#objectView");
    expect(text).toMatch(/count_packetsxdpxdp32accepted/);
    expect(text).toMatch(/countshash4864/);
  });

  it("inspects and edits a map of the dropped object", async () => {
    await page.click("#objectView tr:has-text('totals')");
    await page.waitForSelector("#mapDump");
    expect(await page.textContent("#mapDump")).toMatch(/Found 4 elements/);
    await page.fill("#mapKey", "01 00 00 00");
    await page.fill("#mapValue", "2a 00 00 00 00 00 00 00");
    await page.click("#mapUpdate");
    await page.waitForFunction(() => (document.getElementById("mapDump")?.textContent ?? "").includes("key: 01 00 00 00  value: 2a 00 00 00 00 00 00 00"));
  });

  it("attaches an example tool to the simulated kernel and shows its events", async () => {
    await page.selectOption("#traceObject", "/examples/opensnoop.bpf.o");
    await page.selectOption("#workload", "open");
    await page.fill("#iterations", "2");
    await page.click("#trace");
    await page.waitForFunction(() => document.getElementById("traceOut")!.dataset["done"] !== undefined, undefined, { timeout: 60_000 });
    const out = await page.textContent("#traceOut");
    expect(out).toMatch(/^attached /m);
    expect(out).toMatch(/^events: ts=\d+ pid=1002 .*comm="cat" fname="\/etc\/ld.so.cache"$/m);
    expect(out).toMatch(/^workload open: 2 rounds/m);
  }, 90_000);

  it("runs bench_trigger and draws it as a bar chart next to the kernel's figures", async () => {
    await page.fill("#variants", "kernel-count,fentry");
    await page.click("#bench");
    await page.waitForFunction(() => document.getElementById("benchView")!.dataset["done"] === "2", undefined, { timeout: 90_000 });
    expect(await page.locator("#benchView svg rect.bar").count()).toBe(4); // wabpf and the series, for each
    await page.screenshot({ path: join(RESULTS, "playground-tracing.png"), fullPage: true });
  }, 120_000);

  it.skipIf(!existsSync(CONFORMANCE))("passes the same conformance vectors as Node (a slice, both engines)", async () => {
    const files = readdirSync(CONFORMANCE).filter((f) => f.endsWith(".data")).sort().filter((_, i) => i % 5 === 0);
    const vectors = files.map((f) => ({ name: f.replace(/\.data$/, ""), text: readFileSync(join(CONFORMANCE, f), "utf8") }));
    for (const engine of ["jit", "interp"] as const) {
      const results = await page.evaluate(
        ([v, e]) => (window as unknown as { wabpf: { client: { conformance(v: unknown, e: string): Promise<Array<{ name: string; passed: boolean; detail: string }>> } } }).wabpf.client.conformance(v, e),
        [vectors, engine] as const,
      );
      expect(results.filter((r) => !r.passed)).toEqual([]);
      expect(results).toHaveLength(vectors.length);
    }
  }, 120_000);
});
