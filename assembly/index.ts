// The AssemblyScript runtime: compiled to build/runtime.wasm by `npm run build:as`.
// It imports the one shared memory and function table created by the host.
export * from "./alloc";
export {
  NULL_GUARD_END,
  STACK_FRAME_SIZE,
  STACK_FRAMES,
  STACK_PER_CPU,
  MAX_CPUS,
  STACK_BASE,
  CTX_BASE,
  CTX_SIZE,
  HEAP_BASE,
} from "./layout";
export * from "./maps/index";
export * from "./helpers";
export { CPU_ID_ADDR } from "./layout";
export * from "./kernel/index";
export * from "./output";
