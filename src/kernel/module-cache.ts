// Compiled trampoline modules by shape. A trampoline's bytes depend only on its shape (argument
// count, programs' state addresses and what they observe, cookies, stats); the programs and the
// original function are imports. Re-attaching the same shape (attach/detach cycles, a link
// replaced by an equal one) instantiates the cached module instead of running binaryen again,
// whose heap only grows.

/** A bounded map from shape key to compiled module; the least recently used entry goes first. */
export class ModuleCache {
  private readonly mods = new Map<string, WebAssembly.Module>();

  constructor(private readonly capacity: number) {}

  /** The module for `key`, compiled from `build()` on a miss. */
  get(key: string, build: () => Uint8Array<ArrayBuffer>): WebAssembly.Module {
    const hit = this.mods.get(key);
    if (hit !== undefined) {
      // Map keeps insertion order: re-inserting makes it the most recent
      this.mods.delete(key);
      this.mods.set(key, hit);
      return hit;
    }
    const mod = new WebAssembly.Module(build());
    this.mods.set(key, mod);
    if (this.mods.size > this.capacity) this.mods.delete(this.mods.keys().next().value!);
    return mod;
  }

  get size(): number {
    return this.mods.size;
  }
}
