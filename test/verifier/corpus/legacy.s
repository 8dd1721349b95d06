=== la_ldabs_b_ok
r6 = r1
.insn 0x30 0 0 0 12
exit
=== la_ldabs_h_ok
r6 = r1
.insn 0x28 0 0 0 12
exit
=== la_ldabs_w_tc_ok
; type: sched_cls
r6 = r1
.insn 0x20 0 0 0 0
exit
=== la_ldabs_r6_uninit
.insn 0x30 0 0 0 12
exit
=== la_ldabs_r6_not_ctx
r6 = r10
.insn 0x30 0 0 0 12
exit
=== la_ldabs_r6_modified
r6 = r1
r6 += 8
.insn 0x30 0 0 0 12
exit
=== la_ldabs_xdp
; type: xdp
r6 = r1
.insn 0x30 0 0 0 12
exit
=== la_ldabs_cgroup_skb
; type: cgroup_skb
r6 = r1
.insn 0x30 0 0 0 12
r0 = 1
exit
=== la_ldabs_clobbers_r1
r6 = r1
.insn 0x30 0 0 0 12
r0 = r1
exit
=== la_ldabs_keeps_r7_ok
r6 = r1
r7 = 5
.insn 0x30 0 0 0 12
r0 = r7
exit
=== la_ldind_ok
r6 = r1
r2 = 14
.insn 0x50 0 2 0 0
exit
=== la_ldind_src_uninit
r6 = r1
.insn 0x50 0 3 0 0
exit
=== la_ldabs_r0_unknown
r6 = r1
.insn 0x30 0 0 0 12
if r0 == 5 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== la_ldabs_in_subprog_no_btf
r6 = r1
call pc+2
r0 = 0
exit
.insn 0x30 0 0 0 12
exit
=== la_ldabs_with_ringbuf_ref
; map: ringbuf:0:0:4096
r6 = r1
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r7 = r0
.insn 0x30 0 0 0 12
if r7 == 0 goto +3
r1 = r7
r2 = 0
call bpf_ringbuf_discard#133
r0 = 0
exit
=== la_ldabs_dst_reserved
r6 = r1
.insn 0x30 1 0 0 12
exit
=== la_ldabs_dw
r6 = r1
.insn 0x38 0 0 0 12
exit
=== qu_push_ok
; map: queue:0:8:16
*(u64 *)(r10 - 8) = 7
r1 = map[id:0]
r2 = r10
r2 += -8
r3 = 0
call bpf_map_push_elem#87
r0 = 0
exit
=== qu_push_short_value
; map: queue:0:16:16
*(u64 *)(r10 - 8) = 7
r1 = map[id:0]
r2 = r10
r2 += -8
r3 = 0
call bpf_map_push_elem#87
r0 = 0
exit
=== qu_pop_uninit_ok
; map: stack:0:8:16
r1 = map[id:0]
r2 = r10
r2 += -8
call bpf_map_pop_elem#88
r0 = *(u64 *)(r10 - 8)
exit
=== qu_peek_ok
; map: queue:0:8:16
r1 = map[id:0]
r2 = r10
r2 += -8
call bpf_map_peek_elem#89
r0 = 0
exit
=== qu_lookup_on_queue
; map: queue:0:8:16
r1 = map[id:0]
r2 = r10
r2 += -8
call bpf_map_lookup_elem#1
r0 = 0
exit
=== qu_push_on_hash
; map: hash:8:8:16
*(u64 *)(r10 - 8) = 7
r1 = map[id:0]
r2 = r10
r2 += -8
r3 = 0
call bpf_map_push_elem#87
r0 = 0
exit
=== qu_pop_into_map_value_ok
; map: stack:0:8:16
; map: array:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:1]
call bpf_map_lookup_elem#1
r2 = r0
r1 = map[id:0]
call bpf_map_pop_elem#88
r0 = 0
exit
=== qu_pop_ctx
; map: stack:0:8:16
r2 = r1
r1 = map[id:0]
call bpf_map_pop_elem#88
r0 = 0
exit
=== hx_uid_gid_sf
call bpf_get_current_uid_gid#15
r0 = 0
exit
=== hx_uid_gid_kprobe_ok
; type: kprobe
call bpf_get_current_uid_gid#15
r0 = 0
exit
=== hx_probe_read_user_sf
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read_user#112
r0 = 0
exit
=== hx_probe_read_user_nongpl
; type: kprobe
; license: BSD
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read_user#112
r0 = 0
exit
=== hx_probe_read_kernel_str_ok
; type: kprobe
r1 = r10
r1 += -16
r2 = 16
r3 = 0
call bpf_probe_read_kernel_str#115
r0 = 0
exit
=== hx_probe_read_user_str_xdp
; type: xdp
r1 = r10
r1 += -16
r2 = 16
r3 = 0
call bpf_probe_read_user_str#114
r0 = 2
exit
=== hx_ktime_coarse_ok
call bpf_ktime_get_coarse_ns#160
r0 = 0
exit
=== hx_ktime_coarse_kprobe
; type: kprobe
call bpf_ktime_get_coarse_ns#160
r0 = 0
exit
=== hx_get_stackid_sf
; map: stack_trace:4:64:4
r2 = map[id:0]
r3 = 0
call bpf_get_stackid#27
r0 = 0
exit
=== hx_get_stackid_kprobe_ok
; type: kprobe
; map: stack_trace:4:64:4
r2 = map[id:0]
r3 = 0
call bpf_get_stackid#27
r0 = 0
exit
=== hx_send_signal_kprobe_ok
; type: kprobe
r1 = 9
call bpf_send_signal#109
r0 = 0
exit
=== hx_tail_call_xdp_ok
; type: xdp
; map: prog_array:4:4:4
r2 = map[id:0]
r3 = 0
call bpf_tail_call#12
r0 = 2
exit
=== hx_get_cgroup_classid_sf
call bpf_get_cgroup_classid#17
r0 = 0
exit
=== hx_get_cgroup_classid_tc_ok
; type: sched_cls
call bpf_get_cgroup_classid#17
r0 = 0
exit
=== hx_get_socket_cookie_sf_ok
call bpf_get_socket_cookie#46
r0 = 0
exit
=== hx_skb_store_bytes_sf
r2 = 0
r3 = r10
r3 += -8
*(u64 *)(r10 - 8) = 0
r4 = 8
r5 = 0
call bpf_skb_store_bytes#9
r0 = 0
exit
