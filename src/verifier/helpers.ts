// Helper prototypes the verifier checks calls against (struct bpf_func_proto in the kernel:
// argument types, return type, GPL-only flag) and which program types may call them
// (the *_func_proto callbacks, privileged). Helpers not listed here are rejected with a
// "not supported" message rather than accepted unchecked.
import { helperName } from "../asm/helper-names.js";
import type { ProgType } from "./types.js";
import { isSkbType, isTracingType } from "./prog-types.js";

export type ArgType =
  | "anything"
  | "map_ptr"
  | "map_key"
  | "map_value"
  /** ARG_PTR_TO_MAP_VALUE | MEM_UNINIT: the helper writes the value */
  | "map_value_uninit"
  | "ctx"
  | "mem_ro"
  | "uninit_mem"
  | "const_size"
  | "const_size_or_zero"
  /** ARG_CONST_ALLOC_SIZE_OR_ZERO: a known constant, the size of the returned memory */
  | "alloc_size"
  /** ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE */
  | "ringbuf_release"
  /** ARG_PTR_TO_FUNC: a callback */
  | "func"
  /** ARG_PTR_TO_STACK_OR_NULL */
  | "stack_or_null"
  /** ARG_PTR_TO_SPIN_LOCK */
  | "spin_lock";

export interface HelperProto {
  readonly id: number;
  readonly args: readonly ArgType[];
  readonly ret: "integer" | "map_value_or_null" | "ringbuf_mem_or_null" | "void";
  readonly gplOnly: boolean;
  readonly allowed: (t: ProgType) => boolean;
  /** program types that get a variant of the helper with other arguments / GPL flag */
  readonly variant?: (t: ProgType) => { readonly args?: readonly ArgType[]; readonly gplOnly?: boolean } | null;
  /** map types this helper accepts in its map argument (check_map_func_compatibility) */
  readonly mapTypes?: readonly string[];
  /** the helper may move packet data: every packet pointer becomes invalid (clear_all_pkt_pointers) */
  readonly changesPkt?: boolean;
}

/** __BPF_FUNC_MAX_ID on Linux 6.18: ids at or past it are "unknown". */
export const FUNC_MAX_ID = 212;

const ALL = (): boolean => true;
const MAP_DATA = ["hash", "array", "percpu_hash", "percpu_array", "lru_hash", "lru_percpu_hash"];
const isXdpOrTc = (t: ProgType): boolean => t === "xdp" || t === "sched_cls" || t === "sched_act";

const PROTOS: HelperProto[] = [
  { id: 1, args: ["map_ptr", "map_key"], ret: "map_value_or_null", gplOnly: false, allowed: ALL, mapTypes: MAP_DATA },
  { id: 2, args: ["map_ptr", "map_key", "map_value", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: MAP_DATA },
  { id: 3, args: ["map_ptr", "map_key"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: MAP_DATA },
  { id: 4, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: (t) => isTracingType(t) || t === "syscall" },
  { id: 5, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 6, args: ["mem_ro", "const_size"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: 7, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 8, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 12, args: ["ctx", "map_ptr", "anything"], ret: "void", gplOnly: false, allowed: ALL, mapTypes: ["prog_array"] },
  { id: 14, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 26, args: ["ctx", "anything", "uninit_mem", "const_size"], ret: "integer", gplOnly: false, allowed: isSkbType },
  { id: 44, args: ["ctx", "anything"], ret: "integer", gplOnly: false, allowed: (t) => t === "xdp", changesPkt: true },
  { id: 113, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: 16, args: ["uninit_mem", "const_size"], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 23, args: ["anything", "anything"], ret: "integer", gplOnly: false, allowed: isXdpOrTc },
  { id: 25, args: ["ctx", "map_ptr", "anything", "mem_ro", "const_size_or_zero"], ret: "integer", gplOnly: true, allowed: ALL, mapTypes: ["perf_event_array"] },
  { id: 35, args: [], ret: "integer", gplOnly: true, allowed: ALL },
  { id: 42, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  // bpf_get_stack: the stack of the current task into a buffer
  { id: 67, args: ["ctx", "uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: (t) => isTracingType(t) || t === "syscall" },
  // bpf_get_ns_current_pid_tgid(dev, ino, nsdata, size)
  { id: 120, args: ["anything", "anything", "uninit_mem", "const_size"], ret: "integer", gplOnly: false, allowed: ALL },
  // bpf_current_task_under_cgroup: libbpf-tools' cgroup filter (a CGROUP_ARRAY slot)
  { id: 37, args: ["map_ptr", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["cgroup_array"] },
  { id: 93, args: ["spin_lock"], ret: "void", gplOnly: false, allowed: ALL },
  { id: 94, args: ["spin_lock"], ret: "void", gplOnly: false, allowed: ALL },
  { id: 118, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 125, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 130, args: ["map_ptr", "mem_ro", "const_size_or_zero", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["ringbuf"] },
  { id: 131, args: ["map_ptr", "alloc_size", "anything"], ret: "ringbuf_mem_or_null", gplOnly: false, allowed: ALL, mapTypes: ["ringbuf"] },
  { id: 132, args: ["ringbuf_release", "anything"], ret: "void", gplOnly: false, allowed: ALL },
  { id: 133, args: ["ringbuf_release", "anything"], ret: "void", gplOnly: false, allowed: ALL },
  { id: 134, args: ["map_ptr", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["ringbuf"] },
  { id: 9, args: ["ctx", "anything", "mem_ro", "const_size", "anything"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act", changesPkt: true },
  { id: 15, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  // bpf_get_cgroup_classid takes the skb; elsewhere the current task's (no arguments)
  { id: 17, args: ["ctx"], ret: "integer", gplOnly: false, allowed: ALL, variant: (t) => (isSkbType(t) ? null : { args: [] }) },
  { id: 27, args: ["ctx", "map_ptr", "anything"], ret: "integer", gplOnly: true, allowed: (t) => isTracingType(t) || t === "syscall", mapTypes: ["stack_trace"], variant: (t) => (t === "perf_event" ? { gplOnly: false } : null) },
  { id: 46, args: ["ctx"], ret: "integer", gplOnly: false, allowed: isSkbType },
  { id: 109, args: ["anything"], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 112, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: 114, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: 115, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: 160, args: [], ret: "integer", gplOnly: false, allowed: (t) => !isTracingType(t) && t !== "syscall" },
  { id: 19, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act", changesPkt: true },
  { id: 24, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" },
  { id: 34, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" },
  { id: 41, args: ["ctx"], ret: "void", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" },
  { id: 47, args: ["ctx"], ret: "integer", gplOnly: false, allowed: isSkbType },
  { id: 79, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" || t === "cgroup_skb" },
  { id: 80, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 97, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" || t === "cgroup_skb" },
  { id: 117, args: ["anything"], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 122, args: ["ctx"], ret: "integer", gplOnly: false, allowed: isSkbType },
  { id: 123, args: ["anything"], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 151, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" },
  { id: 173, args: ["ctx"], ret: "integer", gplOnly: true, allowed: (t) => isTracingType(t) || t === "syscall" },
  { id: 174, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "kprobe" || t === "tracepoint" || t === "raw_tracepoint" || t === "perf_event" },
  { id: 188, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "xdp" },
  { id: 208, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: 87, args: ["map_ptr", "map_value", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["queue", "stack"] },
  { id: 88, args: ["map_ptr", "map_value_uninit"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["queue", "stack"] },
  { id: 89, args: ["map_ptr", "map_value_uninit"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["queue", "stack"] },
  { id: 164, args: ["map_ptr", "func", "stack_or_null", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: MAP_DATA },
  { id: 181, args: ["anything", "func", "stack_or_null", "anything"], ret: "integer", gplOnly: false, allowed: ALL },
];

/** Helpers that call a callback subprogram (their call instruction is a prune point). */
export const isCallbackHelper = (id: number): boolean => id === 164 || id === 181;
const BY_ID = new Map(PROTOS.map((p) => [p.id, p]));

/** The prototype of helper `id` as program type `t` sees it. */
export function helperProto(id: number, t?: ProgType): HelperProto | undefined {
  const p = BY_ID.get(id);
  if (p === undefined || t === undefined || p.variant === undefined) return p;
  const v = p.variant(t);
  return v === null ? p : { ...p, args: v.args ?? p.args, gplOnly: v.gplOnly ?? p.gplOnly };
}

/** The name the verifier prints for helper `id` ("bpf_map_lookup_elem", "bpf_unspec", "unknown"). */
export function kernelHelperName(id: number): string {
  if (id === 0) return "bpf_unspec";
  return helperName(id) ?? "unknown";
}

/** Kernel program type numbers (enum bpf_prog_type), for "not supported for program type %d". */
export const PROG_TYPE_IDS: Record<ProgType, number> = {
  socket_filter: 1, kprobe: 2, sched_cls: 3, sched_act: 4, tracepoint: 5, xdp: 6, perf_event: 7, cgroup_skb: 8, raw_tracepoint: 17, syscall: 31,
};

/** Kernel map type numbers (enum bpf_map_type), for "cannot pass map_type %d" messages. */
export const MAP_TYPE_IDS: Record<string, number> = {
  hash: 1, array: 2, prog_array: 3, perf_event_array: 4, percpu_hash: 5, percpu_array: 6, stack_trace: 7,
  cgroup_array: 8, lru_hash: 9, lru_percpu_hash: 10, lpm_trie: 11, array_of_maps: 12, hash_of_maps: 13,
  devmap: 14, sockmap: 15, cpumap: 16, xskmap: 17, sockhash: 18, cgroup_storage: 19, reuseport_sockarray: 20,
  percpu_cgroup_storage: 21, queue: 22, stack: 23, sk_storage: 24, devmap_hash: 25, struct_ops: 26, ringbuf: 27,
  inode_storage: 28, task_storage: 29, bloom_filter: 30, user_ringbuf: 31, cgrp_storage: 32, arena: 33,
};
