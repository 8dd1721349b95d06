=== ktime_ok
call bpf_ktime_get_ns#5
exit
=== prandom_ok
call bpf_get_prandom_u32#7
exit
=== cpu_id_ok
call bpf_get_smp_processor_id#8
exit
=== pid_tgid_sf_ok
call bpf_get_current_pid_tgid#14
exit
=== pid_tgid_kprobe_ok
; type: kprobe
call bpf_get_current_pid_tgid#14
exit
=== unknown_helper_212
call 212
r0 = 0
exit
=== unknown_helper_huge
call 100000
r0 = 0
exit
=== helper_0
call 0
r0 = 0
exit
=== xdp_adjust_head_sf
r2 = 0
call bpf_xdp_adjust_head#44
r0 = 0
exit
=== trace_printk_ok
r1 = 0x0a7825
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
r2 = 8
r3 = 1
call bpf_trace_printk#6
r0 = 0
exit
=== trace_printk_size_zero
r1 = r10
r1 += -8
r2 = 0
call bpf_trace_printk#6
r0 = 0
exit
=== trace_printk_size_unbounded
r1 = r10
r1 += -8
r2 = *(u32 *)(r1 + 0)
r1 = r10
r1 += -8
call bpf_trace_printk#6
r0 = 0
exit
=== trace_printk_size_too_big
r1 = r10
r1 += -8
r2 = 16
call bpf_trace_printk#6
r0 = 0
exit
=== trace_printk_nongpl
; license: MIT
r1 = r10
r1 += -8
r2 = 8
call bpf_trace_printk#6
r0 = 0
exit
=== trace_printk_scalar_buf
r1 = 0
r2 = 8
call bpf_trace_printk#6
r0 = 0
exit
=== probe_read_kernel_ok
; type: kprobe
r1 = r10
r1 += -16
r2 = 16
r3 = 0
call bpf_probe_read_kernel#113
r0 = *(u64 *)(r10 - 16)
exit
=== probe_read_kernel_oob
; type: kprobe
r1 = r10
r1 += -16
r2 = 24
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== probe_read_kernel_size_zero_ok
; type: kprobe
r1 = r10
r1 += -16
r2 = 0
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== probe_read_kernel_neg_size
; type: kprobe
r1 = r10
r1 += -16
r2 = -1
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== probe_read_kernel_r3_uninit
; type: kprobe
r1 = r10
r1 += -16
r2 = 8
call bpf_probe_read_kernel#113
r0 = 0
exit
=== probe_read_kernel_bounded_size_ok
; type: kprobe
r2 = *(u64 *)(r1 + 0)
r2 &= 15
r1 = r10
r1 += -16
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== probe_read_sf
r1 = r10
r1 += -16
r2 = 8
r3 = 0
call bpf_probe_read#4
r0 = 0
exit
=== probe_read_kprobe_ok
; type: kprobe
r1 = r10
r1 += -16
r2 = 8
r3 = 0
call bpf_probe_read#4
r0 = 0
exit
=== helper_result_unknown
call bpf_get_prandom_u32#7
r1 = r10
r1 += r0
r0 = 0
exit
=== helper_r5_clobbered
r5 = 1
call bpf_ktime_get_ns#5
r0 = r5
exit
