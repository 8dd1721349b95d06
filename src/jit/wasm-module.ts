// The one place that talks to binaryen's module-level API: codegen and the kernel's
// trampoline builders go through WasmModule (the model: AssemblyScript's src/module.ts).
// Expression builders stay binaryen's own typed namespaces (`ops.i64.add`, `ops.local.get`…),
// narrowed to the expression part so callers cannot reach module state behind the wrapper.
import type binaryenNs from "binaryen";
import type { Binaryen } from "./binaryen-loader.js";

/** A binaryen expression under construction. */
export type ExpressionRef = binaryenNs.ExpressionRef;
/** A wasm value type or a tuple of them (a function signature's parameters). */
export type TypeRef = binaryenNs.Type;

/** The expression builders of a binaryen module (no module-level state). */
export type WasmOps = Pick<
  binaryenNs.Module,
  | "i32" | "i64" | "f32" | "f64" | "local" | "global" | "memory"
  | "block" | "loop" | "if" | "br" | "switch" | "call" | "return_call" | "return"
  | "drop" | "nop" | "unreachable" | "select"
>;

/** Wasm proposals a module may use beyond the MVP. */
export type WasmFeature = "signExt" | "mutableGlobals" | "bulkMemory" | "tailCall";

export class WasmModule {
  readonly none: TypeRef;
  readonly i32: TypeRef;
  readonly i64: TypeRef;
  readonly f64: TypeRef;
  /** The expression builders. */
  readonly ops: WasmOps;
  private readonly m: binaryenNs.Module;

  constructor(
    private readonly b: Binaryen,
    features: readonly WasmFeature[],
  ) {
    this.m = new b.Module();
    this.ops = this.m;
    this.none = b.none;
    this.i32 = b.i32;
    this.i64 = b.i64;
    this.f64 = b.f64;
    const flag: Record<WasmFeature, number> = {
      signExt: b.Features.SignExt,
      mutableGlobals: b.Features.MutableGlobals,
      bulkMemory: b.Features.BulkMemory,
      tailCall: b.Features.TailCall,
    };
    this.m.setFeatures(features.reduce((all, f) => all | flag[f], b.Features.MVP));
  }

  // ------------------------------------------------------------ types and constants
  /** The tuple type of `params` (a function signature's parameter list). */
  tuple(params: readonly TypeRef[]): TypeRef {
    return this.b.createType([...params]);
  }
  /** `i64.const`: any 64-bit pattern, signed or unsigned. */
  i64Const(v: bigint): ExpressionRef {
    // binaryen takes one bigint in the signed range
    return this.m.i64.const(BigInt.asIntN(64, v));
  }
  /** `i32.const` */
  i32Const(v: number): ExpressionRef {
    return this.m.i32.const(v);
  }
  /** A block of `children` (named when `label` is not null) typed `type` (none by default). */
  block(label: string | null, children: readonly ExpressionRef[], type: TypeRef = this.none): ExpressionRef {
    // binaryen copies the children into its own heap: no spread of the (possibly huge) array
    return this.m.block(label, children as ExpressionRef[], type);
  }

  // ------------------------------------------------------------ imports, functions, exports
  /** Imports the linear memory `module`.`base` of at least `initialPages` 64 KiB pages. */
  importMemory(module: string, base: string, initialPages = 1): void {
    // declared first, then turned into the import: the other order drops the import
    this.m.setMemory(initialPages, 65536, null, [], false, false, "0");
    this.m.addMemoryImport("0", module, base);
  }
  /** Imports the funcref table `module`.`base` as `name`, of at least `initialSize` entries. */
  importTable(name: string, module: string, base: string, initialSize = 1): void {
    this.m.addTable(name, initialSize, -1);
    this.m.addTableImport(name, module, base);
  }
  importGlobal(name: string, module: string, base: string, type: TypeRef, mutable: boolean): void {
    this.m.addGlobalImport(name, module, base, type, mutable);
  }
  importFunction(name: string, module: string, base: string, params: readonly TypeRef[], result: TypeRef): void {
    this.m.addFunctionImport(name, module, base, this.tuple(params), result);
  }
  addFunction(name: string, params: readonly TypeRef[], result: TypeRef, locals: readonly TypeRef[], body: ExpressionRef): void {
    this.m.addFunction(name, this.tuple(params), result, [...locals], body);
  }
  exportFunction(name: string, as: string = name): void {
    this.m.addFunctionExport(name, as);
  }
  /** Places the functions `names` into `table` at `offset` (an i32 expression). */
  addElements(table: string, segment: string, names: readonly string[], offset: ExpressionRef): void {
    this.m.addActiveElementSegment(table, segment, [...names], offset);
  }

  // ------------------------------------------------------------ output
  /** Runs binaryen's optimiser at -O`level` (speed, no shrinking). */
  optimize(level: number): void {
    this.b.setOptimizeLevel(level);
    this.b.setShrinkLevel(0);
    this.m.optimize();
  }
  emitText(): string {
    return this.m.emitText();
  }
  emitBinary(): Uint8Array<ArrayBuffer> {
    return this.m.emitBinary() as Uint8Array<ArrayBuffer>;
  }
  /** Compiles and instantiates the module with `imports`. */
  instantiate(imports: WebAssembly.Imports): WebAssembly.Instance {
    return new WebAssembly.Instance(new WebAssembly.Module(this.emitBinary()), imports);
  }
  /** Frees binaryen's memory for the module; nothing may use it afterwards. */
  dispose(): void {
    this.m.dispose();
  }
}
