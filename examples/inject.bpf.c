// SPDX-License-Identifier: GPL-2.0
// inject: fmod_ret error injection, like the kernel's fail_function / bpf_override_return
// tools. security_file_open fails with -EACCES for one process (targ_tgid), and
// should_failslab fails every `slab_every`-th call, so the allocation of a struct file in the
// simulated open path fails with -ENOMEM. Each injection is logged with bpf_trace_printk.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define EACCES 13

/* user space may change these before the workload runs (the object's .data map) */
__u32 targ_tgid = 1002;
__u32 slab_every = 5;

__u64 slab_calls;

/* 0: security_file_open injections, 1: should_failslab injections */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} injected SEC(".maps");

static __always_inline void count(__u32 k)
{
	__u64 *p = bpf_map_lookup_elem(&injected, &k);

	if (p)
		__sync_fetch_and_add(p, 1);
}

struct file;
struct kmem_cache;

SEC("fmod_ret/security_file_open")
int BPF_PROG(deny_open, struct file *file, int ret)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (ret != 0 || tgid != targ_tgid)
		return ret;
	count(0);
	bpf_printk("security_file_open: -EACCES for tgid %d", tgid);
	return -EACCES;
}

SEC("fmod_ret/should_failslab")
int BPF_PROG(fail_slab, struct kmem_cache *s, unsigned int gfpflags, int ret)
{
	__u64 n = __sync_fetch_and_add(&slab_calls, 1) + 1;

	if (ret != 0 || slab_every == 0 || n % slab_every != 0)
		return ret;
	count(1);
	bpf_printk("should_failslab: failing call %llu (gfp 0x%x)", n, gfpflags);
	return 1;
}
