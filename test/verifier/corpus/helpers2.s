=== hp_probe_read_kernel_nongpl
; type: kprobe
; license: Proprietary
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== hp_probe_read_kernel_dual_bsd_ok
; type: kprobe
; license: Dual BSD/GPL
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== hp_trace_printk_gplv2_ok
; license: GPL v2
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r2 = 8
call bpf_trace_printk#6
r0 = 0
exit
=== hp_trace_printk_mit
; license: MIT
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r2 = 8
call bpf_trace_printk#6
r0 = 0
exit
=== hp_get_current_task_nongpl
; type: kprobe
; license: BSD
call bpf_get_current_task#35
r0 = 0
exit
=== hp_get_current_task_ok
; type: kprobe
call bpf_get_current_task#35
r0 = 0
exit
=== hp_ktime_nongpl_ok
; license: Proprietary
call bpf_ktime_get_ns#5
r0 = 0
exit
=== hp_map_lookup_nongpl_ok
; license: Proprietary
; map: hash:8:16:4
*(u64 *)(r10 - 8) = 0
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== hp_skb_load_bytes_xdp
; type: xdp
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_skb_load_bytes#26
r0 = 2
exit
=== hp_skb_load_bytes_sf_ok
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_skb_load_bytes#26
r0 = 0
exit
=== hp_skb_load_bytes_kprobe
; type: kprobe
r2 = 0
r3 = r10
r3 += -8
r4 = 8
call bpf_skb_load_bytes#26
r0 = 0
exit
=== hp_xdp_adjust_head_tc
; type: sched_cls
r2 = 0
call bpf_xdp_adjust_head#44
r0 = 0
exit
=== hp_xdp_adjust_head_ok
; type: xdp
r2 = 0
call bpf_xdp_adjust_head#44
r0 = 2
exit
=== hp_xdp_adjust_head_invalidates_pkt
; type: xdp
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
r2 = r6
r2 += 4
if r2 > r7 goto +4
r2 = 0
call bpf_xdp_adjust_head#44
r0 = *(u32 *)(r6 + 0)
r0 = 2
exit
=== hp_get_current_pid_tgid_xdp
; type: xdp
call bpf_get_current_pid_tgid#14
r0 = 2
exit
=== hp_get_current_comm_sf
r1 = r10
r1 += -16
r2 = 16
call bpf_get_current_comm#16
r0 = 0
exit
=== hp_get_current_comm_kprobe_ok
; type: kprobe
r1 = r10
r1 += -16
r2 = 16
call bpf_get_current_comm#16
r0 = 0
exit
=== hp_redirect_sf
r1 = 1
r2 = 0
call bpf_redirect#23
r0 = 0
exit
=== hp_redirect_xdp_ok
; type: xdp
r1 = 1
r2 = 0
call bpf_redirect#23
exit
=== hp_perf_event_output_sf
; map: perf_event_array:4:4:4
r2 = map[id:0]
r3 = 0
r4 = r10
r4 += -8
r5 = 8
call bpf_perf_event_output#25
r0 = 0
exit
=== hp_get_smp_processor_id_tp_ok
; type: tracepoint
call bpf_get_smp_processor_id#8
r0 = 0
exit
=== hp_ktime_boot_ok
call bpf_ktime_get_boot_ns#125
r0 = 0
exit
=== hp_jiffies64_ok
call bpf_jiffies64#118
r0 = 0
exit
=== hp_get_numa_node_id_ok
call bpf_get_numa_node_id#42
r0 = 0
exit
=== hp_get_prandom_then_index
; map: array:4:16:1
call bpf_get_prandom_u32#7
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r6 &= 15
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== hp_map_update_pkt_wrong_branch
; type: xdp
; map: hash:4:4:4
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
r2 = r6
r2 += 8
if r2 > r7 goto +6
r1 = map[id:0]
r2 = r6
r3 = r6
r3 += 4
r4 = 0
call bpf_map_update_elem#2
r0 = 2
exit
=== hp_map_update_value_pkt_short
; type: xdp
; map: hash:4:4:4
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
r2 = r6
r2 += 6
if r2 > r7 goto +6
r1 = map[id:0]
r2 = r6
r3 = r6
r3 += 4
r4 = 0
call bpf_map_update_elem#2
r0 = 2
exit
=== hp_map_delete_array
; map: array:4:4:4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_delete_elem#3
r0 = 0
exit
=== hp_probe_read_kernel_size_var_ok
; type: kprobe
r2 = *(u64 *)(r1 + 0)
r2 &= 7
r2 += 1
r1 = r10
r1 += -8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== hp_probe_read_kernel_dst_map_value_ok
; type: kprobe
; map: array:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = r0
r2 = 16
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== hp_probe_read_kernel_dst_map_value_oob
; type: kprobe
; map: array:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = r0
r2 = 17
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== hp_get_current_task_sf
call bpf_get_current_task#35
r0 = 0
exit
=== hp_get_current_task_xdp
; type: xdp
call bpf_get_current_task#35
r0 = 2
exit
=== hp_get_current_comm_xdp
; type: xdp
r1 = r10
r1 += -16
r2 = 16
call bpf_get_current_comm#16
r0 = 2
exit
=== hp_probe_read_kernel_sf
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== hp_perf_event_output_xdp
; type: xdp
; map: perf_event_array:4:4:4
r2 = map[id:0]
r3 = 0
r4 = r10
r4 += -8
r5 = 8
call bpf_perf_event_output#25
r0 = 2
exit
=== hp_redirect_tc_ok
; type: sched_cls
r1 = 1
r2 = 0
call bpf_redirect#23
exit
=== hp_ringbuf_query_ok
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 0
call bpf_ringbuf_query#134
r0 = 0
exit
=== hp_jiffies64_xdp_ok
; type: xdp
call bpf_jiffies64#118
r0 = 2
exit
