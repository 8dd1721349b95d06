// SPDX-License-Identifier: GPL-2.0
// killsnoop: kill() calls with their signal, target and result through a perf buffer, like
// BCC's killsnoop. killsnoop uses the syscalls:sys_enter_kill / sys_exit_kill tracepoints;
// the simulated kernel has no tracepoints yet, so this is fexit on __x64_sys_kill (the
// arguments read from its struct pt_regs with CO-RE, as the syscall wrapper's callers see them).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct event {
	__u64 ts;
	__u32 pid;
	__s32 tpid;
	__s32 sig;
	__s32 ret;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* the kernel's struct pt_regs, the fields used (CO-RE relocated against the kernel's BTF) */
struct pt_regs {
	unsigned long di;
	unsigned long si;
} __attribute__((preserve_access_index));

const struct event *unused_event __attribute__((unused));

SEC("fexit/__x64_sys_kill")
int BPF_PROG(kill_exit, const struct pt_regs *regs, long ret)
{
	struct event e = {};

	e.ts = bpf_ktime_get_ns();
	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.tpid = (__s32)BPF_CORE_READ(regs, di);
	e.sig = (__s32)BPF_CORE_READ(regs, si);
	e.ret = ret;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}
