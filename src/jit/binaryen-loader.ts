// binaryen is ~500 ms and ~120 MB to load: load it lazily, once per process (or worker).
type Binaryen = typeof import("binaryen").default;

let loading: Promise<Binaryen> | null = null;

export function loadBinaryen(): Promise<Binaryen> {
  loading ??= import("binaryen").then((m) => m.default);
  return loading;
}

/** Whether the JIT can run here (binaryen loads and WebAssembly exists). */
export async function jitAvailable(): Promise<boolean> {
  if (typeof WebAssembly === "undefined") return false;
  try {
    await loadBinaryen();
    return true;
  } catch {
    return false;
  }
}

export type { Binaryen };
