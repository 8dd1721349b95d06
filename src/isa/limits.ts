// Kernel ABI limits (include/linux/bpf.h, include/linux/filter.h).

/** Registers r0..r10 (r10 is the read-only frame pointer). */
export const MAX_BPF_REG = 11;
export const BPF_REG_FP = 10;
/** Bytes of stack per frame, and combined across frames for verified programs. */
export const MAX_BPF_STACK = 512;
/** Nested bpf-to-bpf call frames, including the main program. */
export const MAX_CALL_FRAMES = 8;
/** Instructions a verified program may have (privileged). */
export const BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;
/** Bytes per instruction slot. */
export const INSN_SIZE = 8;
/** Instructions the kernel allows for unprivileged/classic programs (BPF_MAXINSNS). */
export const BPF_MAXINSNS = 4096;
/** bpf_loop's largest nr_loops (BPF_MAX_LOOPS). */
export const BPF_MAX_LOOPS = 8 * 1024 * 1024;
