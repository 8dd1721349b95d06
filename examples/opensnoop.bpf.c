// SPDX-License-Identifier: GPL-2.0
// opensnoop: every open with its result through a ring buffer, like libbpf-tools' opensnoop.
// fentry on the simulated open path (do_sys_open) keeps the arguments per thread (as
// opensnoop's sys_enter_openat tracepoint), fexit sends the event.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define NAME_MAX 255

struct args_t {
	const char *fname;
	int flags;
};

struct event {
	__u64 ts;
	__u32 pid;
	__u32 uid;
	int ret;
	int flags;
	char comm[16];
	char fname[NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct args_t);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* keep struct event in the object's BTF for tools that print it */
const struct event *unused_event __attribute__((unused));

SEC("fentry/do_sys_open")
int BPF_PROG(open_entry, int dfd, const char *filename, int flags)
{
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	struct args_t args = { .fname = filename, .flags = flags };

	bpf_map_update_elem(&start, &pid, &args, BPF_ANY);
	return 0;
}

SEC("fexit/do_sys_open")
int BPF_PROG(open_exit, int dfd, const char *filename, int flags, unsigned short mode, long ret)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = (__u32)id;
	struct args_t *ap;
	struct event *e;

	ap = bpf_map_lookup_elem(&start, &pid);
	if (!ap)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->ts = bpf_ktime_get_ns();
		e->pid = id >> 32;
		e->uid = (__u32)bpf_get_current_uid_gid();
		e->ret = ret;
		e->flags = ap->flags;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_probe_read_user_str(e->fname, sizeof(e->fname), ap->fname);
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&start, &pid);
	return 0;
}
