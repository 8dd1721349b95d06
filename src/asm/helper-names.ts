// Helper ids → names as the verifier log and bpftool print them ("call bpf_map_lookup_elem#1").
// The table itself lives in the isa layer (src/isa/helpers.ts) so every layer shares it.
export { helperName, helperId, HELPER_COUNT } from "../isa/helpers.js";
