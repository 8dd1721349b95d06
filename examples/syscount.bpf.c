// SPDX-License-Identifier: GPL-2.0
// syscount: syscalls counted by process (pid, comm) and by syscall number, like libbpf-tools'
// syscount -P, on the raw tracepoints raw_syscalls:sys_enter / sys_exit (BTF-less raw_tp: the
// arguments of the trace_sys_enter(regs, id) / trace_sys_exit(regs, ret) call sites).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct data_t {
	__u64 count;
	__u64 errors;
	char comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);             /* tgid */
	__type(value, struct data_t);
} data SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, __u32);             /* syscall number */
	__type(value, __u64);
} by_nr SEC(".maps");

struct pt_regs;

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u32 key = id;
	struct data_t zero = {}, *d;
	__u64 one = 1, *c;

	d = bpf_map_lookup_elem(&data, &tgid);
	if (!d) {
		bpf_get_current_comm(zero.comm, sizeof(zero.comm));
		bpf_map_update_elem(&data, &tgid, &zero, BPF_NOEXIST);
		d = bpf_map_lookup_elem(&data, &tgid);
		if (!d)
			return 0;
	}
	__sync_fetch_and_add(&d->count, 1);
	c = bpf_map_lookup_elem(&by_nr, &key);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&by_nr, &key, &one, BPF_NOEXIST);
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct data_t *d;

	if (ret >= 0)
		return 0;
	d = bpf_map_lookup_elem(&data, &tgid);
	if (d)
		__sync_fetch_and_add(&d->errors, 1);
	return 0;
}
