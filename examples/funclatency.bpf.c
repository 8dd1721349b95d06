// SPDX-License-Identifier: GPL-2.0
// funclatency: a log2 histogram of a function's latency in ns, like libbpf-tools'
// funclatency (fentry stores the start time per thread, fexit adds the delta to a bucket).
// Traces do_sys_open, the simulated open path.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bits.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define MAX_SLOTS 32

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);             /* pid (thread id) */
	__type(value, __u64);           /* start, ns */
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

/* 0: calls, 1: total ns */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} totals SEC(".maps");

static __always_inline void add(void *map, __u32 k, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(map, &k);

	if (p)
		__sync_fetch_and_add(p, v);
}

SEC("fentry/do_sys_open")
int BPF_PROG(func_entry)
{
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&starts, &pid, &ts, BPF_ANY);
	return 0;
}

SEC("fexit/do_sys_open")
int BPF_PROG(func_exit)
{
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	__u64 *start, delta, slot;

	start = bpf_map_lookup_elem(&starts, &pid);
	if (!start)
		return 0;
	delta = bpf_ktime_get_ns() - *start;
	bpf_map_delete_elem(&starts, &pid);
	slot = log2l(delta);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	add(&hist, slot, 1);
	add(&totals, 0, 1);
	add(&totals, 1, delta);
	return 0;
}
