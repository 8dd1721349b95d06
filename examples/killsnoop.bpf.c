// SPDX-License-Identifier: GPL-2.0
// killsnoop: kill() calls with their signal, target and result through a perf buffer, like
// BCC's killsnoop: the syscalls:sys_enter_kill tracepoint keeps the arguments per thread,
// syscalls:sys_exit_kill sends the event with the result.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct event {
	__u64 ts;
	__u32 pid;
	__s32 tpid;
	__s32 sig;
	__s32 ret;
	char comm[16];
};

struct val_t {
	__s32 tpid;
	__s32 sig;
};

/* the events' formats (/sys/kernel/tracing/events/syscalls/sys_{enter,exit}_kill/format) */
struct sys_enter_kill_args {
	__u64 common;
	int __syscall_nr;
	int pad;
	long pid;
	long sig;
};

struct sys_exit_args {
	__u64 common;
	int __syscall_nr;
	int pad;
	long ret;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct val_t);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

const struct event *unused_event __attribute__((unused));

SEC("tp/syscalls/sys_enter_kill")
int kill_entry(struct sys_enter_kill_args *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct val_t v = { .tpid = ctx->pid, .sig = ctx->sig };

	bpf_map_update_elem(&values, &tid, &v, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_kill")
int kill_exit(struct sys_exit_args *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct event e = {};
	struct val_t *v;

	v = bpf_map_lookup_elem(&values, &tid);
	if (!v)
		return 0;
	e.ts = bpf_ktime_get_ns();
	e.pid = id >> 32;
	e.tpid = v->tpid;
	e.sig = v->sig;
	e.ret = ctx->ret;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	bpf_map_delete_elem(&values, &tid);
	return 0;
}
