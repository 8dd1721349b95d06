// The kfuncs every simulated machine implements, whatever kernel runs on it (Linux registers
// them for every program type: common_kfunc_set). Bound to ids through a kernel's BTF
// (kfuncRegistry) like any other kfunc.
import type { KfuncImpl } from "../exec/kfuncs.js";

/**
 * bpf_rcu_read_lock / bpf_rcu_read_unlock: a simulated kernel frees nothing while a program
 * runs, so the read-side section needs no state; the verifier checks the pairing.
 */
export const MACHINE_KFUNCS: readonly KfuncImpl[] = [
  { name: "bpf_rcu_read_lock", fn: () => 0n },
  { name: "bpf_rcu_read_unlock", fn: () => 0n },
];
