// The address space every engine agrees on. eBPF pointers are offsets into one
// WebAssembly.Memory (carried in 64-bit registers); the interpreter uses the same
// addresses over its own buffers, so a program that computes with pointers gives
// the same r0 in the interpreter, in the JIT, and across runs. The AssemblyScript
// runtime exports the same numbers (assembly/layout.ts); a test checks they agree.
//
//   0x000000 ┬ null guard: address 0 and small offsets never hit valid data
//   0x010000 ┼ BPF stacks: MAX_CPUS × STACK_PER_CPU (8 frames × 512 B each)
//   0x050000 ┼ machine state (current CPU id, a probe load's staged bytes), then unused
//   0x100000 ┼ context / input memory of the current run (CTX_SIZE bytes)
//   0x200000 ┴ AssemblyScript heap: map storage, runtime state (grows upward)

/** 64 KiB: the WebAssembly page size. */
export const WASM_PAGE = 0x10000;
/** End of the unmapped region at address 0. */
export const NULL_GUARD_END = 0x10000;
/** Bytes of one stack frame. */
export const STACK_FRAME_SIZE = 512;
/** Frames per CPU stack (the kernel's MAX_CALL_FRAMES). */
export const STACK_FRAMES = 8;
/** Stack bytes per simulated CPU. */
export const STACK_PER_CPU = STACK_FRAME_SIZE * STACK_FRAMES;
/** Simulated CPUs the layout reserves stacks for. */
export const MAX_CPUS = 64;
export const STACK_BASE = NULL_GUARD_END;
export const STACK_END = STACK_BASE + MAX_CPUS * STACK_PER_CPU;
/**
 * Machine state in the unused gap below the input area: the id of the CPU the current
 * program runs on (u32), written by both engines at run start and read by the
 * AssemblyScript runtime (per-CPU map slots, bpf_get_smp_processor_id). Never a region.
 */
export const CPU_ID_ADDR = 0x50000;
/**
 * Where a probe load's bytes are staged when they live outside guest memory (mapped at a
 * kernel address by the host): 8 bytes after the CPU id, written just before the load. Never a region.
 */
export const PROBE_STAGE_ADDR = 0x50008;
/** Where run input (conformance memory, program context) is placed. */
export const CTX_BASE = 0x100000;
export const CTX_SIZE = 0x100000;
/** First byte of the AssemblyScript heap (asc --memoryBase). */
export const HEAP_BASE = 0x200000;

/** r10 of call frame `depth` (0 = main program) on `cpu`: frames grow downward. */
export function framePointer(cpu: number, depth: number): number {
  return STACK_BASE + (cpu + 1) * STACK_PER_CPU - depth * STACK_FRAME_SIZE;
}
