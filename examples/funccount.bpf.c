// SPDX-License-Identifier: GPL-2.0
// funccount: calls of every function matching a glob, counted by address, like BCC's
// funccount. One kprobe.multi link (fprobe-based) over the glob in the section name;
// user space symbolizes the addresses.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct pt_regs;

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);             /* function address */
	__type(value, __u64);           /* calls */
} counts SEC(".maps");

SEC("kprobe.multi/security_*")
int count_call(struct pt_regs *ctx)
{
	__u64 ip = bpf_get_func_ip(ctx), one = 1, *c;

	c = bpf_map_lookup_elem(&counts, &ip);
	if (c)
		__sync_fetch_and_add(c, 1);
	else
		bpf_map_update_elem(&counts, &ip, &one, BPF_NOEXIST);
	return 0;
}
