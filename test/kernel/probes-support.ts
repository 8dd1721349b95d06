// Shared set-up of the probe tests (test/fixtures/probes/probes.c on a SimKernel).
import { fileURLToPath } from "node:url";
import { SimKernel, type KernelProgram } from "../../src/kernel/index.js";
import type { BpfObject } from "../../src/object/bpf-object.js";
import { EbpfError } from "../../src/errors.js";
import type { BpfMap } from "../../src/runtime/maps.js";

export const PROBES = fileURLToPath(new URL("../fixtures/probes/", import.meta.url));

export interface ProbeSetup {
  k: SimKernel;
  obj: BpfObject;
  out: BpfMap;
  ctl: BpfMap;
  load: (n: string) => Promise<KernelProgram>;
}

export async function setupProbes(arch: "x86" | "arm64" = "x86"): Promise<ProbeSetup> {
  const k = await SimKernel.create({ generated: 20, arch });
  const obj = await k.open(PROBES + (arch === "x86" ? "probes.o" : "probes-arm64.o"));
  obj.createMaps();
  return { k, obj, out: obj.map("out"), ctl: obj.map("ctl"), load: (n) => k.load(obj, n) };
}

export function errnoOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof EbpfError) return e.code;
    throw e;
  }
  return "no error";
}

export async function loadError(p: Promise<unknown>): Promise<EbpfError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof EbpfError) return e;
    throw e;
  }
  throw new Error("loaded");
}

