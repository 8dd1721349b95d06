=== cx_sf_protocol_u16_ok
r0 = *(u16 *)(r1 + 16)
exit
=== cx_sf_len_byte_3_ok
r0 = *(u8 *)(r1 + 3)
exit
=== cx_sf_len_u16_off2_ok
r0 = *(u16 *)(r1 + 2)
exit
=== cx_sf_u64_len
r0 = *(u64 *)(r1 + 0)
exit
=== cx_sf_cb_u64_unaligned
r0 = *(u64 *)(r1 + 52)
exit
=== cx_sf_cb_read_u8_ok
r0 = *(u8 *)(r1 + 67)
exit
=== cx_sf_hash_ok
r0 = *(u32 *)(r1 + 68)
exit
=== cx_sf_tc_classid
r0 = *(u32 *)(r1 + 72)
exit
=== cx_sf_ifindex_ok
r0 = *(u32 *)(r1 + 40)
exit
=== cx_sf_family
r0 = *(u32 *)(r1 + 88)
exit
=== cx_sf_napi_id_ok
r0 = *(u32 *)(r1 + 84)
exit
=== cx_sf_tstamp
r0 = *(u64 *)(r1 + 152)
exit
=== cx_sf_sk_null_check_ok
r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto +1
r0 = *(u32 *)(r2 + 4)
r0 = 0
exit
=== cx_sf_gso_segs_ok
r0 = *(u32 *)(r1 + 164)
exit
=== cx_tc_data_meta_ok
; type: sched_cls
r0 = *(u32 *)(r1 + 140)
r0 = 0
exit
=== cx_tc_tc_classid_write_ok
; type: sched_cls
r2 = 1
*(u32 *)(r1 + 72) = r2
r0 = 0
exit
=== cx_tc_flow_keys
; type: sched_cls
r0 = *(u64 *)(r1 + 144)
r0 = 0
exit
=== cx_tc_wire_len_ok
; type: sched_cls
r0 = *(u32 *)(r1 + 160)
r0 = 0
exit
=== cx_tc_wire_len_write
; type: sched_cls
r2 = 1
*(u32 *)(r1 + 160) = r2
r0 = 0
exit
=== cx_tc_tstamp_write_ok
; type: sched_cls
r2 = 1
*(u64 *)(r1 + 152) = r2
r0 = 0
exit
=== cx_tc_data_u16
; type: sched_cls
r0 = *(u16 *)(r1 + 76)
r0 = 0
exit
=== cx_tc_pkt_write_ok
; type: sched_cls
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 2
if r4 > r3 goto +1
*(u16 *)(r2 + 0) = 1
r0 = 0
exit
=== cx_tc_mark_u8_write
; type: sched_cls
*(u8 *)(r1 + 8) = 1
r0 = 0
exit
=== cx_tc_st_mark_ok
; type: sched_cls
*(u32 *)(r1 + 8) = 1
r0 = 0
exit
=== cx_tc_hwtstamp_ok
; type: sched_cls
r0 = *(u64 *)(r1 + 184)
r0 = 0
exit
=== cx_sf_pkt_write_denied
r2 = *(u32 *)(r1 + 0)
r0 = 0
exit
=== cx_cgskb_data_ok
; type: cgroup_skb
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 1
if r4 > r3 goto +1
r0 = *(u8 *)(r2 + 0)
r0 = 1
exit
=== cx_cgskb_pkt_write
; type: cgroup_skb
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 1
if r4 > r3 goto +1
*(u8 *)(r2 + 0) = 1
r0 = 1
exit
=== cx_cgskb_mark_write_ok
; type: cgroup_skb
*(u32 *)(r1 + 8) = 1
r0 = 1
exit
=== cx_cgskb_remote_ip4_ok
; type: cgroup_skb
r0 = *(u32 *)(r1 + 92)
r0 = 1
exit
=== cx_cgskb_ret_2
; type: cgroup_skb
r0 = 2
exit
=== cx_cgskb_ret_jmp_both_ok
; type: cgroup_skb
r2 = *(u32 *)(r1 + 0)
r0 = 0
if r2 > 10 goto +1
r0 = 1
exit
=== cx_xdp_rx_queue_ok
; type: xdp
r0 = *(u32 *)(r1 + 16)
r0 = 2
exit
=== cx_xdp_ingress_u8
; type: xdp
r0 = *(u8 *)(r1 + 12)
r0 = 2
exit
=== cx_xdp_data_meta_ok
; type: xdp
r2 = *(u32 *)(r1 + 8)
r3 = *(u32 *)(r1 + 0)
r4 = r2
r4 += 4
if r4 > r3 goto +1
r0 = *(u32 *)(r2 + 0)
r0 = 2
exit
=== cx_xdp_meta_vs_end
; type: xdp
r2 = *(u32 *)(r1 + 8)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto +1
r0 = *(u32 *)(r2 + 0)
r0 = 2
exit
=== cx_kprobe_u32_ok
; type: kprobe
r0 = *(u32 *)(r1 + 80)
exit
=== cx_kprobe_u32_misaligned
; type: kprobe
r0 = *(u32 *)(r1 + 82)
exit
=== cx_kprobe_last_ok
; type: kprobe
r0 = *(u64 *)(r1 + 160)
exit
=== cx_kprobe_st_write
; type: kprobe
*(u64 *)(r1 + 0) = 1
r0 = 0
exit
=== cx_tp_u32_ok
; type: tracepoint
r0 = *(u32 *)(r1 + 12)
exit
=== cx_tp_u16_off_10_ok
; type: tracepoint
r0 = *(u16 *)(r1 + 10)
exit
=== cx_tp_misaligned
; type: tracepoint
r0 = *(u32 *)(r1 + 10)
exit
=== cx_tp_neg
; type: tracepoint
r0 = *(u64 *)(r1 - 8)
exit
=== cx_rawtp_u32
; type: raw_tracepoint
r0 = *(u32 *)(r1 + 8)
exit
=== cx_rawtp_last_ok
; type: raw_tracepoint
r0 = *(u64 *)(r1 + 88)
exit
=== cx_rawtp_write
; type: raw_tracepoint
*(u64 *)(r1 + 0) = 1
r0 = 0
exit
=== cx_perf_addr_ok
; type: perf_event
r0 = *(u64 *)(r1 + 176)
exit
=== cx_perf_period_u32_ok
; type: perf_event
r0 = *(u32 *)(r1 + 168)
exit
=== cx_perf_end
; type: perf_event
r0 = *(u64 *)(r1 + 184)
exit
=== cx_perf_write
; type: perf_event
*(u64 *)(r1 + 168) = 1
r0 = 0
exit
=== cx_syscall_read_ok
; type: syscall
r0 = *(u64 *)(r1 + 0)
exit
=== cx_syscall_write_ok
; type: syscall
*(u64 *)(r1 + 8) = 1
r0 = 0
exit
=== cx_syscall_misaligned
; type: syscall
r0 = *(u32 *)(r1 + 2)
exit
=== cx_syscall_off_32760
; type: syscall
r0 = *(u64 *)(r1 + 32760)
exit
=== cx_syscall_no_ctx_ok
; type: syscall
r0 = 0
exit
=== cx_syscall_var_off
; type: syscall
r2 = *(u32 *)(r1 + 0)
r2 &= 8
r1 += r2
r0 = *(u64 *)(r1 + 0)
exit
=== cx_syscall_ktime_ok
; type: syscall
call bpf_ktime_get_ns#5
r0 = 0
exit
