// Section names → program type and expected attach type, following libbpf's section table
// (tools/lib/bpf/libbpf.c, section_defs). A name ending in "+" in libbpf matches the bare
// prefix or the prefix followed by "/" and an attach target; the others match exactly.
// Unknown names are reported, never guessed.

export interface SectionDef {
  /** libbpf's pattern without the "+" */
  readonly prefix: string;
  /** may be followed by "/target" */
  readonly extensible: boolean;
  /** enum bpf_prog_type name without BPF_PROG_TYPE_, lower case */
  readonly progType: string;
  /** enum bpf_attach_type name without BPF_, lower case; null when 0 is expected */
  readonly attachType: string | null;
  readonly sleepable?: boolean;
  readonly xdpFrags?: boolean;
  /** the target is a BTF function (fentry/fexit/fmod_ret/tp_btf/lsm/iter) */
  readonly attachBtf?: boolean;
  /** one link, many functions (kprobe.multi, fentry.multi …) */
  readonly multi?: boolean;
}

const d = (prefix: string, progType: string, attachType: string | null, extra: Partial<SectionDef> = {}): SectionDef => ({
  prefix: prefix.endsWith("+") ? prefix.slice(0, -1) : prefix,
  extensible: prefix.endsWith("+"),
  progType,
  attachType,
  ...extra,
});

/** In libbpf's order: the first match wins. */
export const SECTION_DEFS: readonly SectionDef[] = [
  d("socket", "socket_filter", null),
  d("sk_reuseport/migrate", "sk_reuseport", "sk_reuseport_select_or_migrate"),
  d("sk_reuseport", "sk_reuseport", "sk_reuseport_select"),
  d("kprobe+", "kprobe", null),
  d("uprobe+", "kprobe", null),
  d("uprobe.s+", "kprobe", null, { sleepable: true }),
  d("kretprobe+", "kprobe", null),
  d("uretprobe+", "kprobe", null),
  d("uretprobe.s+", "kprobe", null, { sleepable: true }),
  d("kprobe.multi+", "kprobe", "trace_kprobe_multi", { multi: true }),
  d("kretprobe.multi+", "kprobe", "trace_kprobe_multi", { multi: true }),
  d("kprobe.session+", "kprobe", "trace_kprobe_session", { multi: true }),
  d("uprobe.multi+", "kprobe", "trace_uprobe_multi", { multi: true }),
  d("uretprobe.multi+", "kprobe", "trace_uprobe_multi", { multi: true }),
  d("uprobe.multi.s+", "kprobe", "trace_uprobe_multi", { multi: true, sleepable: true }),
  d("uretprobe.multi.s+", "kprobe", "trace_uprobe_multi", { multi: true, sleepable: true }),
  d("ksyscall+", "kprobe", null),
  d("kretsyscall+", "kprobe", null),
  d("usdt+", "kprobe", null),
  d("usdt.s+", "kprobe", null, { sleepable: true }),
  d("tc/ingress", "sched_cls", "tcx_ingress"),
  d("tc/egress", "sched_cls", "tcx_egress"),
  d("tcx/ingress", "sched_cls", "tcx_ingress"),
  d("tcx/egress", "sched_cls", "tcx_egress"),
  d("tc", "sched_cls", null),
  d("classifier", "sched_cls", null),
  d("action", "sched_act", null),
  d("netkit/primary", "sched_cls", "netkit_primary"),
  d("netkit/peer", "sched_cls", "netkit_peer"),
  d("tracepoint+", "tracepoint", null),
  d("tp+", "tracepoint", null),
  d("raw_tracepoint+", "raw_tracepoint", null),
  d("raw_tp+", "raw_tracepoint", null),
  d("raw_tracepoint.w+", "raw_tracepoint_writable", null),
  d("raw_tp.w+", "raw_tracepoint_writable", null),
  d("tp_btf+", "tracing", "trace_raw_tp", { attachBtf: true }),
  d("fentry+", "tracing", "trace_fentry", { attachBtf: true }),
  d("fmod_ret+", "tracing", "modify_return", { attachBtf: true }),
  d("fexit+", "tracing", "trace_fexit", { attachBtf: true }),
  d("fentry.s+", "tracing", "trace_fentry", { attachBtf: true, sleepable: true }),
  d("fmod_ret.s+", "tracing", "modify_return", { attachBtf: true, sleepable: true }),
  d("fexit.s+", "tracing", "trace_fexit", { attachBtf: true, sleepable: true }),
  // the tracing multi-link series: one program on many functions
  d("fentry.multi+", "tracing", "trace_fentry_multi", { multi: true }),
  d("fexit.multi+", "tracing", "trace_fexit_multi", { multi: true }),
  d("fmod_ret.multi+", "tracing", "modify_return_multi", { multi: true }),
  d("freplace+", "ext", null, { attachBtf: true }),
  d("lsm+", "lsm", "lsm_mac", { attachBtf: true }),
  d("lsm.s+", "lsm", "lsm_mac", { attachBtf: true, sleepable: true }),
  d("lsm_cgroup+", "lsm", "lsm_cgroup", { attachBtf: true }),
  d("iter+", "tracing", "trace_iter", { attachBtf: true }),
  d("iter.s+", "tracing", "trace_iter", { attachBtf: true, sleepable: true }),
  d("syscall", "syscall", null, { sleepable: true }),
  d("xdp.frags/devmap", "xdp", "xdp_devmap", { xdpFrags: true }),
  d("xdp/devmap", "xdp", "xdp_devmap"),
  d("xdp.frags/cpumap", "xdp", "xdp_cpumap", { xdpFrags: true }),
  d("xdp/cpumap", "xdp", "xdp_cpumap"),
  d("xdp.frags", "xdp", "xdp", { xdpFrags: true }),
  d("xdp", "xdp", "xdp"),
  d("perf_event", "perf_event", null),
  d("lwt_in", "lwt_in", null),
  d("lwt_out", "lwt_out", null),
  d("lwt_xmit", "lwt_xmit", null),
  d("lwt_seg6local", "lwt_seg6local", null),
  d("sockops", "sock_ops", "cgroup_sock_ops"),
  d("sk_skb/stream_parser", "sk_skb", "sk_skb_stream_parser"),
  d("sk_skb/stream_verdict", "sk_skb", "sk_skb_stream_verdict"),
  d("sk_skb/verdict", "sk_skb", "sk_skb_verdict"),
  d("sk_skb", "sk_skb", null),
  d("sk_msg", "sk_msg", "sk_msg_verdict"),
  d("lirc_mode2", "lirc_mode2", "lirc_mode2"),
  d("flow_dissector", "flow_dissector", "flow_dissector"),
  d("cgroup_skb/ingress", "cgroup_skb", "cgroup_inet_ingress"),
  d("cgroup_skb/egress", "cgroup_skb", "cgroup_inet_egress"),
  d("cgroup/skb", "cgroup_skb", null),
  d("cgroup/sock_create", "cgroup_sock", "cgroup_inet_sock_create"),
  d("cgroup/sock_release", "cgroup_sock", "cgroup_inet_sock_release"),
  d("cgroup/sock", "cgroup_sock", "cgroup_inet_sock_create"),
  d("cgroup/post_bind4", "cgroup_sock", "cgroup_inet4_post_bind"),
  d("cgroup/post_bind6", "cgroup_sock", "cgroup_inet6_post_bind"),
  d("cgroup/dev", "cgroup_device", "cgroup_device"),
  d("cgroup/bind4", "cgroup_sock_addr", "cgroup_inet4_bind"),
  d("cgroup/bind6", "cgroup_sock_addr", "cgroup_inet6_bind"),
  d("cgroup/connect4", "cgroup_sock_addr", "cgroup_inet4_connect"),
  d("cgroup/connect6", "cgroup_sock_addr", "cgroup_inet6_connect"),
  d("cgroup/sendmsg4", "cgroup_sock_addr", "cgroup_udp4_sendmsg"),
  d("cgroup/sendmsg6", "cgroup_sock_addr", "cgroup_udp6_sendmsg"),
  d("cgroup/recvmsg4", "cgroup_sock_addr", "cgroup_udp4_recvmsg"),
  d("cgroup/recvmsg6", "cgroup_sock_addr", "cgroup_udp6_recvmsg"),
  d("cgroup/getpeername4", "cgroup_sock_addr", "cgroup_inet4_getpeername"),
  d("cgroup/getpeername6", "cgroup_sock_addr", "cgroup_inet6_getpeername"),
  d("cgroup/getsockname4", "cgroup_sock_addr", "cgroup_inet4_getsockname"),
  d("cgroup/getsockname6", "cgroup_sock_addr", "cgroup_inet6_getsockname"),
  d("cgroup/sysctl", "cgroup_sysctl", "cgroup_sysctl"),
  d("cgroup/getsockopt", "cgroup_sockopt", "cgroup_getsockopt"),
  d("cgroup/setsockopt", "cgroup_sockopt", "cgroup_setsockopt"),
  d("cgroup/dev", "cgroup_device", "cgroup_device"),
  d("struct_ops+", "struct_ops", null),
  d("struct_ops.s+", "struct_ops", null, { sleepable: true }),
  d("sk_lookup", "sk_lookup", "sk_lookup"),
  d("netfilter", "netfilter", "netfilter"),
];

export interface SectionMatch {
  readonly def: SectionDef;
  /** what follows "prefix/" (the attach target: function, tracepoint, glob …); "" when none */
  readonly target: string;
}

/** libbpf's find_sec_def: null for a name no program type claims. */
export function matchSection(name: string): SectionMatch | null {
  // libbpf: a leading '?' turns autoload off; the rest is matched as usual
  if (name.startsWith("?")) name = name.slice(1);
  for (const def of SECTION_DEFS) {
    if (name === def.prefix) return { def, target: "" };
    if (def.extensible && name.startsWith(`${def.prefix}/`)) return { def, target: name.slice(def.prefix.length + 1) };
  }
  return null;
}

// ------------------------------------------------------------------ attach targets
// What libbpf's attach functions read from a section name once the table above has given the
// program type: the tracing kind and target, the probe kind and function or tracepoint.

export type TracingKind = "fentry" | "fexit" | "fmod_ret";

/** What a section name says about a program: its tracing kind, multi or not, and its target. */
export function parseTracingSection(section: string): { kind: TracingKind; multi: boolean; target: string } | null {
  section = section.replace(/^\?/, "");
  const m = /^(fentry|fexit|fmod_ret)(\.multi)?(\.s)?\/(.*)$/.exec(section);
  if (m === null) return null;
  return { kind: m[1] as TracingKind, multi: m[2] !== undefined, target: m[4]! };
}

export type ProbeKind = "kprobe" | "kretprobe" | "raw_tp" | "tp_btf" | "tp";

export interface ProbeSection {
  readonly kind: ProbeKind;
  /** kprobe.multi / kretprobe.multi */
  readonly multi: boolean;
  /** function (or glob), raw tracepoint name, or "system/event" */
  readonly target: string;
}

/** Probe and tracepoint sections, as libbpf's attach functions read them. */
export function parseProbeSection(section: string): ProbeSection | null {
  section = section.replace(/^\?/, "");
  let m = /^(kprobe|kretprobe)(\.multi)?\/(.*)$/.exec(section);
  if (m !== null) return { kind: m[1] as ProbeKind, multi: m[2] !== undefined, target: m[3]! };
  // ksyscall/<name>: a kprobe on the syscall's wrapper (__x64_sys_<name> on every simulated arch)
  m = /^(ksyscall|kretsyscall)\/(.*)$/.exec(section);
  if (m !== null) return { kind: m[1] === "ksyscall" ? "kprobe" : "kretprobe", multi: false, target: `__x64_sys_${m[2]!}` };
  m = /^(raw_tp|raw_tracepoint)(\.w)?(?:\/(.*))?$/.exec(section);
  if (m !== null) return { kind: "raw_tp", multi: false, target: m[3] ?? "" };
  m = /^tp_btf\/(.*)$/.exec(section);
  if (m !== null) return { kind: "tp_btf", multi: false, target: m[1]! };
  m = /^(tp|tracepoint)(?:\/(.*))?$/.exec(section);
  if (m !== null) return { kind: "tp", multi: false, target: m[2] ?? "" };
  return null;
}

/** A multi program's target glob ('*' and '?', as libbpf's glob_match) as an anchored RegExp. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
}
