=== sf_len_ok
; type: socket_filter
r0 = *(u32 *)(r1 + 0)
exit
=== sf_data_denied
; type: socket_filter
r0 = *(u32 *)(r1 + 76)
exit
=== sf_mark_write_denied
; type: socket_filter
*(u32 *)(r1 + 8) = r1
r0 = 0
exit
=== sf_cb_write_ok
; type: socket_filter
r2 = 1
*(u32 *)(r1 + 52) = r2
r0 = 0
exit
=== sf_cb_u64_ok
; type: socket_filter
r0 = *(u64 *)(r1 + 56)
exit
=== sf_cb_u64_end
; type: socket_filter
r0 = *(u64 *)(r1 + 64)
exit
=== sf_narrow_ok
; type: socket_filter
r0 = *(u8 *)(r1 + 3)
exit
=== sf_misaligned
; type: socket_filter
r0 = *(u32 *)(r1 + 2)
exit
=== sf_sk_deref_null
; type: socket_filter
r2 = *(u64 *)(r1 + 168)
r0 = *(u32 *)(r2 + 0)
exit
=== sf_off_192
; type: socket_filter
r0 = *(u32 *)(r1 + 192)
exit
=== sf_negative
; type: socket_filter
r0 = *(u32 *)(r1 - 4)
exit
=== xdp_data_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r0 = 2
exit
=== xdp_data_u64
; type: xdp
r2 = *(u64 *)(r1 + 0)
r0 = 2
exit
=== xdp_ifindex_ok
; type: xdp
r0 = *(u32 *)(r1 + 12)
exit
=== xdp_queue_u16_ok
; type: xdp
r0 = *(u16 *)(r1 + 16)
exit
=== xdp_egress
; type: xdp
r0 = *(u32 *)(r1 + 20)
exit
=== xdp_off_24
; type: xdp
r0 = *(u32 *)(r1 + 24)
exit
=== xdp_write
; type: xdp
*(u32 *)(r1 + 12) = 0
r0 = 0
exit
=== xdp_pkt_unchecked
; type: xdp
r2 = *(u32 *)(r1 + 0)
r0 = *(u8 *)(r2 + 0)
exit
=== xdp_pkt_checked_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto +2
r0 = *(u8 *)(r2 + 13)
exit
r0 = 1
exit
=== xdp_pkt_checked_oob
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto +2
r0 = *(u16 *)(r2 + 13)
exit
r0 = 1
exit
=== xdp_pkt_checked_lt_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
r0 = 1
if r3 < r4 goto +1
r0 = *(u64 *)(r2 + 0)
exit
=== xdp_pkt_write_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto +1
*(u32 *)(r2 + 0) = 0
r0 = 2
exit
=== xdp_pkt_end_deref
; type: xdp
r3 = *(u32 *)(r1 + 4)
r0 = *(u8 *)(r3 + 0)
exit
=== xdp_pkt_end_arith
; type: xdp
r3 = *(u32 *)(r1 + 4)
r3 += 1
r0 = 0
exit
=== tc_data_ok
; type: sched_cls
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r4 = r2
r4 += 1
if r4 > r3 goto +1
r0 = *(u8 *)(r2 + 0)
r0 = 0
exit
=== tc_mark_write_ok
; type: sched_cls
r2 = 7
*(u32 *)(r1 + 8) = r2
r0 = 0
exit
=== tc_len_write
; type: sched_cls
r2 = 7
*(u32 *)(r1 + 0) = r2
r0 = 0
exit
=== kprobe_regs_ok
; type: kprobe
r0 = *(u64 *)(r1 + 112)
exit
=== kprobe_narrow_ok
; type: kprobe
r0 = *(u32 *)(r1 + 4)
exit
=== kprobe_end
; type: kprobe
r0 = *(u64 *)(r1 + 168)
exit
=== kprobe_write
; type: kprobe
*(u64 *)(r1 + 0) = 0
r0 = 0
exit
=== tp_first_8
; type: tracepoint
r0 = *(u64 *)(r1 + 0)
exit
=== tp_ok
; type: tracepoint
r0 = *(u64 *)(r1 + 8)
exit
=== tp_2048
; type: tracepoint
r0 = *(u32 *)(r1 + 2048)
exit
=== rawtp_ok
; type: raw_tracepoint
r0 = *(u64 *)(r1 + 88)
exit
=== rawtp_96
; type: raw_tracepoint
r0 = *(u64 *)(r1 + 96)
exit
=== perf_regs_u32
; type: perf_event
r0 = *(u32 *)(r1 + 0)
exit
=== perf_sample_period_ok
; type: perf_event
r0 = *(u64 *)(r1 + 168)
exit
=== cgskb_ret_ok
; type: cgroup_skb
r0 = 1
exit
=== cgskb_ret_5
; type: cgroup_skb
r0 = 5
exit
=== cgskb_ret_unknown
; type: cgroup_skb
r0 = *(u32 *)(r1 + 0)
exit
=== cgskb_ret_masked_ok
; type: cgroup_skb
r0 = *(u32 *)(r1 + 0)
r0 &= 1
exit
=== cgskb_ret_ptr
; type: cgroup_skb
r0 = r1
exit
=== xdp_ret_any_ok
; type: xdp
r0 = 100
exit
=== sf_ret_ptr_ok
; type: socket_filter
r0 = r10
exit
