// Mirror of src/isa/layout.ts for the AssemblyScript runtime (test/layout.test.ts checks
// that the exported values agree). See that file for the picture.

export const NULL_GUARD_END: u32 = 0x10000;
export const STACK_FRAME_SIZE: u32 = 512;
export const STACK_FRAMES: u32 = 8;
export const STACK_PER_CPU: u32 = STACK_FRAME_SIZE * STACK_FRAMES;
export const MAX_CPUS: u32 = 64;
export const STACK_BASE: u32 = NULL_GUARD_END;
export const CTX_BASE: u32 = 0x100000;
export const CTX_SIZE: u32 = 0x100000;
export const HEAP_BASE: u32 = 0x200000;

/** Machine state below the input area: the id of the CPU the current program runs on (u32). */
export const CPU_ID_ADDR: u32 = 0x50000;
