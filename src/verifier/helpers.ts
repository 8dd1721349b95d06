// Helper prototypes the verifier checks calls against (struct bpf_func_proto in the kernel:
// argument types, return type, GPL-only flag) and which program types may call them
// (the *_func_proto callbacks, privileged). Helpers not listed here are rejected with a
// "not supported" message rather than accepted unchecked.
import { helperAvailable } from "./helper-table.js";
import { HELPER, HELPER_COUNT, helperName } from "../isa/helpers.js";
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
  | "spin_lock"
  /** ARG_PTR_TO_MEM | PTR_MAYBE_NULL | MEM_RDONLY (data of bpf_trace_vprintk, bpf_snprintf, bpf_seq_printf) */
  | "mem_ro_or_null"
  /** ARG_PTR_TO_MEM_OR_NULL: a buffer the helper writes (bpf_snprintf's output) */
  | "mem_or_null"
  /** ARG_PTR_TO_LONG: 8 aligned bytes the helper writes */
  | "long_uninit"
  /** ARG_PTR_TO_MAP_VALUE_OR_NULL */
  | "map_value_or_null"
  /** ARG_PTR_TO_BTF_ID of the named struct (and _OR_NULL) */
  | `btf:${string}`
  | `btf_or_null:${string}`
  /** ARG_PTR_TO_BTF_ID_SOCK_COMMON: a socket as a BTF pointer (a struct that starts with struct sock_common) */
  | "btf_sock_common"
  /** ARG_PTR_TO_CONST_STR: a NUL-terminated string in a frozen read-only map (bpf_snprintf's format) */
  | "const_str"
  /** ARG_PTR_TO_KPTR: a map value pointer at a referenced kptr field */
  | "kptr"
  /** ARG_PTR_TO_BTF_ID_OR_NULL | OBJ_RELEASE: a referenced object of the kptr's type, given away, or NULL */
  | "kptr_release";

export interface HelperProto {
  readonly id: number;
  readonly args: readonly ArgType[];
  /** `btf:NAME`: RET_PTR_TO_BTF_ID_TRUSTED of struct NAME */
  /** `kptr`: the kptr field's old object, referenced, maybe null (bpf_kptr_xchg) */
  readonly ret: "integer" | "map_value_or_null" | "ringbuf_mem_or_null" | "void" | "kptr" | `btf:${string}` | `btfp:${string}` | `btfp_or_null:${string}`;
  readonly gplOnly: boolean;
  readonly allowed: (t: ProgType) => boolean;
  /** program types that get a variant of the helper with other arguments / GPL flag */
  readonly variant?: (t: ProgType) => { readonly args?: readonly ArgType[]; readonly gplOnly?: boolean } | null;
  /** map types this helper accepts in its map argument (check_map_func_compatibility) */
  readonly mapTypes?: readonly string[];
  /** fn->might_sleep: only sleepable programs may call it */
  readonly mightSleep?: boolean;
  /** the prototype's allowed() refuses these program types ("helper call is not allowed in probe") */
  readonly notAllowedIn?: (t: ProgType) => boolean;
  /** the helper may move packet data: every packet pointer becomes invalid (clear_all_pkt_pointers) */
  readonly changesPkt?: boolean;
}

/** Licenses the kernel counts as GPL-compatible (license_is_gpl_compatible). */
export const GPL_LICENSES: ReadonlySet<string> = new Set(["GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"]);

/** __BPF_FUNC_MAX_ID on Linux 6.18: ids at or past it are "unknown". */
export const FUNC_MAX_ID = HELPER_COUNT;

const ALL = (): boolean => true;
const MAP_DATA = ["hash", "array", "percpu_hash", "percpu_array", "lru_hash", "lru_percpu_hash"];
const isXdpOrTc = (t: ProgType): boolean => t === "xdp" || t === "sched_cls" || t === "sched_act";

const PROTOS: HelperProto[] = [
  { id: HELPER.map_lookup_elem, args: ["map_ptr", "map_key"], ret: "map_value_or_null", gplOnly: false, allowed: ALL, mapTypes: MAP_DATA },
  { id: HELPER.map_update_elem, args: ["map_ptr", "map_key", "map_value", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: MAP_DATA },
  { id: HELPER.map_delete_elem, args: ["map_ptr", "map_key"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: MAP_DATA },
  { id: HELPER.probe_read, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: (t) => isTracingType(t) || t === "syscall" },
  { id: HELPER.ktime_get_ns, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.trace_printk, args: ["mem_ro", "const_size"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: HELPER.get_prandom_u32, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.get_smp_processor_id, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.tail_call, args: ["ctx", "map_ptr", "anything"], ret: "void", gplOnly: false, allowed: ALL, mapTypes: ["prog_array"] },
  { id: HELPER.get_current_pid_tgid, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.skb_load_bytes, args: ["ctx", "anything", "uninit_mem", "const_size"], ret: "integer", gplOnly: false, allowed: isSkbType },
  { id: HELPER.xdp_adjust_head, args: ["ctx", "anything"], ret: "integer", gplOnly: false, allowed: (t) => t === "xdp", changesPkt: true },
  { id: HELPER.probe_read_kernel, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: HELPER.get_current_comm, args: ["uninit_mem", "const_size"], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.redirect, args: ["anything", "anything"], ret: "integer", gplOnly: false, allowed: isXdpOrTc },
  { id: HELPER.perf_event_output, args: ["ctx", "map_ptr", "anything", "mem_ro", "const_size_or_zero"], ret: "integer", gplOnly: true, allowed: ALL, mapTypes: ["perf_event_array"] },
  { id: HELPER.get_current_task, args: [], ret: "integer", gplOnly: true, allowed: ALL },
  { id: HELPER.get_numa_node_id, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  // bpf_get_stack: the stack of the current task into a buffer
  { id: HELPER.get_stack, args: ["ctx", "uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: (t) => isTracingType(t) || t === "syscall" },
  // bpf_get_ns_current_pid_tgid(dev, ino, nsdata, size)
  { id: HELPER.get_ns_current_pid_tgid, args: ["anything", "anything", "uninit_mem", "const_size"], ret: "integer", gplOnly: false, allowed: ALL },
  // bpf_current_task_under_cgroup: libbpf-tools' cgroup filter (a CGROUP_ARRAY slot)
  { id: HELPER.current_task_under_cgroup, args: ["map_ptr", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["cgroup_array"] },
  { id: HELPER.spin_lock, args: ["spin_lock"], ret: "void", gplOnly: false, allowed: ALL },
  { id: HELPER.spin_unlock, args: ["spin_lock"], ret: "void", gplOnly: false, allowed: ALL },
  { id: HELPER.jiffies64, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.ktime_get_boot_ns, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.ringbuf_output, args: ["map_ptr", "mem_ro", "const_size_or_zero", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["ringbuf"] },
  { id: HELPER.ringbuf_reserve, args: ["map_ptr", "alloc_size", "anything"], ret: "ringbuf_mem_or_null", gplOnly: false, allowed: ALL, mapTypes: ["ringbuf"] },
  { id: HELPER.ringbuf_submit, args: ["ringbuf_release", "anything"], ret: "void", gplOnly: false, allowed: ALL },
  { id: HELPER.ringbuf_discard, args: ["ringbuf_release", "anything"], ret: "void", gplOnly: false, allowed: ALL },
  { id: HELPER.ringbuf_query, args: ["map_ptr", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["ringbuf"] },
  { id: HELPER.skb_store_bytes, args: ["ctx", "anything", "mem_ro", "const_size", "anything"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act", changesPkt: true },
  { id: HELPER.get_current_uid_gid, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  // bpf_get_cgroup_classid takes the skb; elsewhere the current task's (no arguments)
  { id: HELPER.get_cgroup_classid, args: ["ctx"], ret: "integer", gplOnly: false, allowed: ALL, variant: (t) => (isSkbType(t) ? null : { args: [] }) },
  { id: HELPER.get_stackid, args: ["ctx", "map_ptr", "anything"], ret: "integer", gplOnly: true, allowed: (t) => isTracingType(t) || t === "syscall", mapTypes: ["stack_trace"], variant: (t) => (t === "perf_event" ? { gplOnly: false } : null) },
  // tracing programs get the socket-pointer variant (bpf_get_socket_ptr_cookie)
  { id: HELPER.get_socket_cookie, args: ["ctx"], ret: "integer", gplOnly: false, allowed: isSkbType, variant: (t) => (t === "tracing" || t === "lsm" ? { args: ["btf_sock_common"] } : null) },
  { id: HELPER.send_signal, args: ["anything"], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.probe_read_user, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: HELPER.probe_read_user_str, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: HELPER.probe_read_kernel_str, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: HELPER.ktime_get_coarse_ns, args: [], ret: "integer", gplOnly: false, allowed: (t) => !isTracingType(t) && t !== "syscall" },
  { id: HELPER.skb_vlan_pop, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act", changesPkt: true },
  { id: HELPER.get_route_realm, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" },
  { id: HELPER.get_hash_recalc, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" },
  { id: HELPER.set_hash_invalid, args: ["ctx"], ret: "void", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" },
  { id: HELPER.get_socket_uid, args: ["ctx"], ret: "integer", gplOnly: false, allowed: isSkbType },
  { id: HELPER.skb_cgroup_id, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" || t === "cgroup_skb" },
  { id: HELPER.get_current_cgroup_id, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.skb_ecn_set_ce, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" || t === "cgroup_skb" },
  { id: HELPER.send_signal_thread, args: ["anything"], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.get_netns_cookie, args: ["ctx"], ret: "integer", gplOnly: false, allowed: isSkbType },
  { id: HELPER.get_current_ancestor_cgroup_id, args: ["anything"], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.skb_cgroup_classid, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "sched_cls" || t === "sched_act" },
  { id: HELPER.get_func_ip, args: ["ctx"], ret: "integer", gplOnly: true, allowed: (t) => isTracingType(t) || t === "syscall" },
  { id: HELPER.get_attach_cookie, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "kprobe" || t === "tracepoint" || t === "raw_tracepoint" || t === "perf_event" },
  { id: HELPER.xdp_get_buff_len, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "xdp" },
  { id: HELPER.ktime_get_tai_ns, args: [], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.map_push_elem, args: ["map_ptr", "map_value", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["queue", "stack"] },
  { id: HELPER.map_pop_elem, args: ["map_ptr", "map_value_uninit"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["queue", "stack"] },
  { id: HELPER.map_peek_elem, args: ["map_ptr", "map_value_uninit"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["queue", "stack"] },
  { id: HELPER.for_each_map_elem, args: ["map_ptr", "func", "stack_or_null", "anything"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: MAP_DATA },
  { id: HELPER.loop, args: ["anything", "func", "stack_or_null", "anything"], ret: "integer", gplOnly: false, allowed: ALL },
  // tracing: BTF-typed tasks, the trampoline's saved arguments, printing, iterators, local storage
  { id: HELPER.probe_read_str, args: ["uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: (t) => isTracingType(t) || t === "syscall" },
  { id: HELPER.get_current_task_btf, args: [], ret: "btf:task_struct", gplOnly: true, allowed: ALL },
  { id: HELPER.task_pt_regs, args: ["btf:task_struct"], ret: "btfp:pt_regs", gplOnly: true, allowed: ALL },
  { id: HELPER.trace_vprintk, args: ["mem_ro", "const_size", "mem_ro_or_null", "const_size_or_zero"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: HELPER.snprintf, args: ["mem_or_null", "const_size_or_zero", "const_str", "mem_ro_or_null", "const_size_or_zero"], ret: "integer", gplOnly: true, allowed: ALL },
  { id: HELPER.seq_printf_btf, args: ["btf:seq_file", "mem_ro", "const_size_or_zero", "anything"], ret: "integer", gplOnly: true, allowed: (t) => t === "tracing" },
  { id: HELPER.copy_from_user_task, args: ["uninit_mem", "const_size_or_zero", "anything", "btf:task_struct", "anything"], ret: "integer", gplOnly: true, allowed: ALL, mightSleep: true },
  // tracing programs name the socket by its BTF pointer (bpf_sk_storage_get_tracing_proto)
  { id: HELPER.sk_storage_get, args: ["map_ptr", "btf_or_null:sock", "map_value_or_null", "anything"], ret: "map_value_or_null", gplOnly: false, allowed: (t) => helperAvailable(t, HELPER.sk_storage_get), notAllowedIn: (t) => t === "syscall", mapTypes: ["sk_storage"], variant: (t) => (t === "tracing" || t === "lsm" ? null : { args: ["map_ptr", "btf_sock_common", "map_value_or_null", "anything"] }) },
  { id: HELPER.sk_storage_delete, args: ["map_ptr", "btf:sock"], ret: "integer", gplOnly: false, allowed: (t) => helperAvailable(t, HELPER.sk_storage_delete), notAllowedIn: (t) => t === "syscall", mapTypes: ["sk_storage"], variant: (t) => (t === "tracing" || t === "lsm" ? null : { args: ["map_ptr", "btf_sock_common"] }) },
  // the socket casts: a socket as a BTF pointer in, the wanted kind of socket or NULL out
  ...([[HELPER.skc_to_tcp6_sock, "tcp6_sock"], [HELPER.skc_to_tcp_sock, "tcp_sock"], [HELPER.skc_to_tcp_timewait_sock, "tcp_timewait_sock"], [HELPER.skc_to_tcp_request_sock, "tcp_request_sock"], [HELPER.skc_to_udp6_sock, "udp6_sock"], [HELPER.skc_to_unix_sock, "unix_sock"]] as const).map(
    ([id, sock]): HelperProto => ({ id, args: ["btf_sock_common"], ret: `btfp_or_null:${sock}`, gplOnly: false, allowed: (t) => helperAvailable(t, id) }),
  ),
  { id: HELPER.kptr_xchg, args: ["kptr", "kptr_release"], ret: "kptr", gplOnly: false, allowed: ALL },
  { id: HELPER.strncmp, args: ["mem_ro", "const_size", "const_str"], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.seq_printf, args: ["btf:seq_file", "mem_ro", "const_size", "mem_ro_or_null", "const_size_or_zero"], ret: "integer", gplOnly: true, allowed: (t) => t === "tracing" },
  { id: HELPER.seq_write, args: ["btf:seq_file", "mem_ro", "const_size_or_zero"], ret: "integer", gplOnly: true, allowed: (t) => t === "tracing" },
  { id: HELPER.get_func_arg, args: ["ctx", "anything", "long_uninit"], ret: "integer", gplOnly: false, allowed: (t) => t === "tracing" },
  { id: HELPER.get_func_ret, args: ["ctx", "long_uninit"], ret: "integer", gplOnly: false, allowed: (t) => t === "tracing" },
  { id: HELPER.get_func_arg_cnt, args: ["ctx"], ret: "integer", gplOnly: false, allowed: (t) => t === "tracing" },
  { id: HELPER.task_storage_get, args: ["map_ptr", "btf_or_null:task_struct", "map_value_or_null", "anything"], ret: "map_value_or_null", gplOnly: false, allowed: ALL, mapTypes: ["task_storage"] },
  // bpf_d_path(&file->f_path, buf, size): where it may be called is tracingHelperRefusal's allowlist
  { id: HELPER.d_path, args: ["btf:path", "uninit_mem", "const_size_or_zero"], ret: "integer", gplOnly: false, allowed: (t) => t === "tracing" || t === "lsm" || t === "syscall", notAllowedIn: (t) => t === "syscall" },
  { id: HELPER.get_task_stack, args: ["btf:task_struct", "uninit_mem", "const_size_or_zero", "anything"], ret: "integer", gplOnly: false, allowed: ALL },
  { id: HELPER.task_storage_delete, args: ["map_ptr", "btf:task_struct"], ret: "integer", gplOnly: false, allowed: ALL, mapTypes: ["task_storage"] },
];

/** Helpers that call a callback subprogram (their call instruction is a prune point). */
export const isCallbackHelper = (id: number): boolean => id === HELPER.for_each_map_elem || id === HELPER.loop;
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
  if (id === HELPER.unspec) return "bpf_unspec";
  return helperName(id) ?? "unknown";
}

/** Kernel program type numbers (enum bpf_prog_type), for "not supported for program type %d". */
export const PROG_TYPE_IDS: Record<ProgType, number> = {
  socket_filter: 1, kprobe: 2, sched_cls: 3, sched_act: 4, tracepoint: 5, xdp: 6, perf_event: 7, cgroup_skb: 8, raw_tracepoint: 17, tracing: 26, lsm: 29, syscall: 31,
};

/** Kernel map type numbers (enum bpf_map_type), for "cannot pass map_type %d" messages. */
export const MAP_TYPE_IDS: Record<string, number> = {
  hash: 1, array: 2, prog_array: 3, perf_event_array: 4, percpu_hash: 5, percpu_array: 6, stack_trace: 7,
  cgroup_array: 8, lru_hash: 9, lru_percpu_hash: 10, lpm_trie: 11, array_of_maps: 12, hash_of_maps: 13,
  devmap: 14, sockmap: 15, cpumap: 16, xskmap: 17, sockhash: 18, cgroup_storage: 19, reuseport_sockarray: 20,
  percpu_cgroup_storage: 21, queue: 22, stack: 23, sk_storage: 24, devmap_hash: 25, struct_ops: 26, ringbuf: 27,
  inode_storage: 28, task_storage: 29, bloom_filter: 30, user_ringbuf: 31, cgrp_storage: 32, arena: 33,
};
