// Per program type: which context bytes a program may read or write (the kernel's
// *_is_valid_access callbacks in net/core/filter.c and kernel/trace/bpf_trace.c), what a
// context load yields, and the allowed return values (check_return_code). Privileged
// (CAP_BPF + CAP_PERFMON) loading, x86-64 layouts.
import type { ProgType } from "./types.js";

export type CtxValue = "scalar" | "pkt" | "pkt_end" | "pkt_meta" | "sock_common_or_null";

/** What a context access at `off` (already including the register's offset) may do. */
export type CtxAccess = { readonly ok: false } | { readonly ok: true; readonly value: CtxValue };

const NO: CtxAccess = { ok: false };
const SCALAR: CtxAccess = { ok: true, value: "scalar" };

/** bpf_ctx_narrow_access_ok */
const narrowOk = (size: number, sizeDefault: number): boolean => size <= sizeDefault && (size & (size - 1)) === 0;

// struct __sk_buff offsets
const SKB = {
  len: 0, pkt_type: 4, mark: 8, queue_mapping: 12, protocol: 16, vlan_present: 20, vlan_tci: 24, vlan_proto: 28,
  priority: 32, ingress_ifindex: 36, ifindex: 40, tc_index: 44, cb: 48, hash: 68, tc_classid: 72, data: 76,
  data_end: 80, napi_id: 84, family: 88, remote_ip4: 92, local_ip4: 96, remote_ip6: 100, local_ip6: 116,
  remote_port: 132, local_port: 136, data_meta: 140, flow_keys: 144, tstamp: 152, wire_len: 160, gso_segs: 164,
  sk: 168, gso_size: 176, tstamp_type: 180, hwtstamp: 184, end: 192,
} as const;

/** Whether [off, off+size) lies in the u32 field at `at` (bpf_ctx_range). */
const inField = (off: number, at: number, width = 4): boolean => off >= at && off < at + width;

/** bpf_skb_is_valid_access: the checks shared by every __sk_buff program type. */
function skbValid(off: number, size: number, write: boolean): CtxAccess {
  if (off < 0 || off >= SKB.end) return NO;
  if (off % size !== 0) return NO;
  if (inField(off, SKB.cb, 20)) return off + size > SKB.cb + 20 ? NO : SCALAR;
  // the addresses are read whole (no narrow loads)
  if (off >= SKB.remote_ip4 && off < SKB.remote_port && size !== 4) return NO;
  if (inField(off, SKB.flow_keys, 8)) return NO;
  if (inField(off, SKB.tstamp, 8)) return size !== 8 ? NO : SCALAR;
  if (off === SKB.sk) return write || size !== 8 ? NO : { ok: true, value: "sock_common_or_null" };
  if (inField(off, SKB.sk, 8)) return NO;
  if (inField(off, SKB.tstamp_type)) return NO;
  if (inField(off, SKB.hwtstamp, 8)) return size !== 8 || write ? NO : SCALAR;
  if (write) return size !== 4 ? NO : SCALAR;
  return narrowOk(size, 4) ? SCALAR : NO;
}

function skFilterAccess(off: number, size: number, write: boolean): CtxAccess {
  if (
    inField(off, SKB.tc_classid) || inField(off, SKB.data) || inField(off, SKB.data_meta) || inField(off, SKB.data_end) ||
    (off >= SKB.family && off < SKB.local_port + 4) || inField(off, SKB.tstamp, 8) || inField(off, SKB.wire_len) ||
    inField(off, SKB.hwtstamp, 8)
  ) {
    return NO;
  }
  if (write && !inField(off, SKB.cb, 20)) return NO;
  return skbValid(off, size, write);
}

function tcAccess(off: number, size: number, write: boolean): CtxAccess {
  if (write) {
    const writable =
      inField(off, SKB.mark) || inField(off, SKB.tc_index) || inField(off, SKB.priority) || inField(off, SKB.cb, 20) ||
      inField(off, SKB.tc_classid) || inField(off, SKB.queue_mapping) || inField(off, SKB.tstamp, 8);
    if (!writable) return NO;
  }
  if (inField(off, SKB.data) || inField(off, SKB.data_end) || inField(off, SKB.data_meta)) {
    if (off % size !== 0 || size !== 4 || write) return NO;
    return { ok: true, value: off === SKB.data ? "pkt" : off === SKB.data_end ? "pkt_end" : "pkt_meta" };
  }
  // family .. local_port: socket fields tc programs cannot read
  if (off >= SKB.family && off < SKB.local_port + 4) return NO;
  // tstamp_type: a byte tc programs may read
  if (off === SKB.tstamp_type && size === 1 && !write) return SCALAR;
  if (inField(off, SKB.wire_len)) return write ? NO : skbValid(off, size, write);
  if (inField(off, SKB.flow_keys, 8)) return NO;
  return skbValid(off, size, write);
}

function cgSkbAccess(off: number, size: number, write: boolean): CtxAccess {
  if (inField(off, SKB.tc_classid) || inField(off, SKB.data_meta) || inField(off, SKB.wire_len)) return NO;
  if (inField(off, SKB.data) || inField(off, SKB.data_end)) {
    if (off % size !== 0 || size !== 4 || write) return NO;
    return { ok: true, value: off === SKB.data ? "pkt" : "pkt_end" };
  }
  if (write && !(inField(off, SKB.mark) || inField(off, SKB.priority) || inField(off, SKB.cb, 20) || inField(off, SKB.tstamp, 8))) return NO;
  return skbValid(off, size, write);
}

function xdpAccess(off: number, size: number, write: boolean): CtxAccess {
  if (write) return NO;
  if (off < 0 || off >= 24) return NO;
  if (off % size !== 0) return NO;
  if (off === 0 || off === 4 || off === 8) {
    if (size !== 4) return NO;
    return { ok: true, value: off === 0 ? "pkt" : off === 4 ? "pkt_end" : "pkt_meta" };
  }
  if (off < 12) return NO;
  if (off >= 20) return NO; // egress_ifindex: devmap programs only
  return size === 4 ? SCALAR : NO;
}

const PT_REGS_SIZE = 168;

export function ctxAccess(type: ProgType, off: number, size: number, write: boolean): CtxAccess {
  switch (type) {
    case "socket_filter":
      return skFilterAccess(off, size, write);
    case "sched_cls":
    case "sched_act":
      return tcAccess(off, size, write);
    case "cgroup_skb":
      return cgSkbAccess(off, size, write);
    case "xdp":
      return xdpAccess(off, size, write);
    case "kprobe":
      if (off < 0 || off >= PT_REGS_SIZE || write || off % size !== 0 || off + size > PT_REGS_SIZE) return NO;
      return SCALAR;
    case "tracepoint":
      // tp_prog_is_valid_access compares `off < sizeof(void *)` unsigned: negative offsets pass
      if ((off >= 0 && off < 8) || off >= 8192 || write || off % size !== 0) return NO;
      return SCALAR;
    case "raw_tracepoint":
      if (off < 0 || off >= 96 || write || off % size !== 0) return NO;
      return SCALAR;
    case "perf_event":
      if (off < 0 || off >= 184 || write || off % size !== 0) return NO;
      if (off >= PT_REGS_SIZE) return narrowOk(size, 8) ? SCALAR : NO;
      return size !== 8 ? NO : SCALAR;
    case "tracing":
    case "lsm":
      // typed by the attach target's prototype: tracing.ts (btf_ctx_access)
      return NO;
    case "syscall":
      // the context is the caller's buffer: any aligned offset below U16_MAX, read or write
      if (off < 0 || off >= 0xffff || off % size !== 0) return NO;
      return SCALAR;
  }
}

/**
 * bpf_sock_common_is_valid_access (struct bpf_sock fields through a sock_common pointer,
 * reads only).
 */
export function sockCommonAccess(off: number, size: number): boolean {
  const SOCK_SIZE = 80;
  if (off >= 8 && off < 24) return false; // type .. priority: full sockets only
  if (off < 0 || off >= SOCK_SIZE || off % size !== 0) return false;
  const narrow = [4, 8, 12, 44, 76, 72].includes(off) || inField(off, 24) || (off >= 28 && off < 44) || inField(off, 52) || (off >= 56 && off < 72);
  if (narrow) return narrowOk(size, 4);
  if (inField(off, 48)) return narrowOk(size, size === 4 ? 4 : 2);
  if (off >= 50 && off < 52) return size === 2;
  return size === 4;
}

/** The [min, max] R0 must lie in at program exit, or null when any value is fine. */
export function returnRange(type: ProgType, expectedAttachType: string | null | undefined): [number, number] | null {
  if (type === "cgroup_skb") return expectedAttachType === "cgroup_inet_egress" ? [0, 3] : [0, 1];
  // tracing programs (verified through the raw_tracepoint stand-in): fentry and fexit return 0
  if (expectedAttachType === "trace_fentry" || expectedAttachType === "trace_fexit") return [0, 0];
  return null;
}

/** Program types whose context is a struct __sk_buff (helpers taking skb apply). */
export const isSkbType = (t: ProgType): boolean => t === "socket_filter" || t === "sched_cls" || t === "sched_act" || t === "cgroup_skb";
export const isTracingType = (t: ProgType): boolean => t === "kprobe" || t === "tracepoint" || t === "perf_event" || t === "raw_tracepoint" || t === "tracing" || t === "lsm";
