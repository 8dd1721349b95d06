=== mx_rb_as_helper_mem_ok
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 16
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +8
r6 = r0
r1 = r0
r2 = 16
call bpf_get_current_comm#16
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== mx_rb_as_helper_mem_too_big
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +8
r6 = r0
r1 = r0
r2 = 16
call bpf_get_current_comm#16
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== mx_rb_two_reserves_one_leaked
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r6 = r0
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +3
r1 = r0
r2 = 0
call bpf_ringbuf_discard#133
if r6 == 0 goto +3
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== mx_rb_two_reserves_ok
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r6 = r0
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +3
r1 = r0
r2 = 0
call bpf_ringbuf_discard#133
if r6 == 0 goto +3
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== mx_rb_reserve_in_subprog_submit_in_caller_ok
; map: ringbuf:0:0:4096
call pc+6
if r0 == 0 goto +3
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
exit
=== mx_rb_huge_size_write_end
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 0x10000
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +6
r1 = r0
r1 += 0xfff8
*(u64 *)(r1 + 0) = 1
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== mx_rb_var_off_write_ok
; map: ringbuf:0:0:4096
r6 = *(u32 *)(r1 + 0)
r1 = map[id:0]
r2 = 64
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +8
r6 &= 0x38
r1 = r0
r1 += r6
*(u64 *)(r1 + 0) = 1
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== mx_rb_var_off_write_oob
; map: ringbuf:0:0:4096
r6 = *(u32 *)(r1 + 0)
r1 = map[id:0]
r2 = 64
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +8
r6 &= 0x3c
r1 = r0
r1 += r6
*(u64 *)(r1 + 0) = 1
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== mx_rb_store_ptr_in_stack_then_leak
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
*(u64 *)(r10 - 8) = r0
r0 = 0
exit
=== mx_cb_loop_unknown_nr_ok
; btf: func_info
r1 = *(u32 *)(r1 + 0)
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r0 = 0
exit
=== mx_cb_loop_ctx_counter_ok
; btf: func_info
*(u64 *)(r10 - 8) = 0
r1 = 100
r2 = func[pc+8]
r3 = r10
r3 += -8
r4 = 0
call bpf_loop#181
r0 = 0
exit
r3 = *(u64 *)(r2 + 0)
r3 += 1
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
=== mx_cb_loop_ctx_index_oob
; btf: func_info
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r1 = 100
r2 = func[pc+8]
r3 = r10
r3 += -16
r4 = 0
call bpf_loop#181
r0 = 0
exit
r3 = *(u64 *)(r2 + 0)
r3 &= 31
r2 += r3
*(u8 *)(r2 + 0) = 1
r0 = 0
exit
=== mx_cb_foreach_write_key
; btf: func_info
; map: hash:4:16:4
r1 = map[id:0]
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_for_each_map_elem#164
r0 = 0
exit
*(u32 *)(r2 + 0) = 1
r0 = 0
exit
=== mx_cb_foreach_ringbuf_map
; btf: func_info
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_for_each_map_elem#164
r0 = 0
exit
r0 = 0
exit
=== mx_cb_callback_is_main
; btf: func_info
r1 = 10
r2 = func[pc-3]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
=== mx_call_map_value_to_subprog_ok
; map: array:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = r0
call pc+3
r0 = 0
exit
r0 = 0
exit
*(u64 *)(r1 + 8) = 1
r0 = 0
exit
=== mx_call_map_value_to_subprog_oob
; map: array:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = r0
call pc+3
r0 = 0
exit
r0 = 0
exit
*(u64 *)(r1 + 12) = 1
r0 = 0
exit
=== mx_call_returns_nullable_checked_ok
; map: hash:4:16:1
call pc+4
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
exit
=== mx_call_returns_nullable_unchecked
; map: hash:4:16:1
call pc+3
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
exit
=== mx_call_nullable_check_in_callee_ok
; map: hash:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 = r0
r1 = r0
call pc+5
if r0 == 0 goto +2
r0 = *(u64 *)(r6 + 0)
r0 = 0
exit
r0 = 0
if r1 == 0 goto +1
r0 = 1
exit
=== mx_alu32_bounds_ok
; map: array:4:16:1
r6 = *(u64 *)(r1 + 48)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
w6 &= 7
r0 += r6
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== mx_alu32_add_wraps
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
w6 &= 7
w6 += -1
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mx_movsx_bounds
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 &= 0xff
r6 = (s8)r6
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mx_movsx_small_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 &= 0x7
r6 = (s8)r6
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mx_ldsx_bounds
; map: array:4:16:1
r6 = *(s8 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 += 128
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mx_bswap_unknown
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 &= 7
r6 = be16 r6
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mx_st_imm_u32_spill_fill_ok
*(u32 *)(r10 - 8) = 5
r1 = *(u32 *)(r10 - 8)
if r1 == 5 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== mx_st_imm_u64_spill_fill_ok
*(u64 *)(r10 - 8) = -3
r1 = *(u64 *)(r10 - 8)
if r1 == -3 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== mx_stack_var_read_over_spilled_ptr
*(u64 *)(r10 - 16) = r1
*(u64 *)(r10 - 8) = 0
r3 = *(u32 *)(r1 + 0)
r3 &= 8
r2 = r10
r2 += -16
r2 += r3
r0 = *(u64 *)(r2 + 0)
exit
=== mx_helper_reads_spilled_ptr_ok
; map: hash:8:16:4
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== mx_helper_overwrites_spilled_ptr
*(u64 *)(r10 - 16) = r1
r1 = r10
r1 += -16
r2 = 16
call bpf_get_current_comm#16
r1 = *(u64 *)(r10 - 16)
r0 = *(u32 *)(r1 + 0)
exit
=== mx_pkt_const_too_far
; type: xdp
r2 = *(u32 *)(r1 + 0)
r2 += 0x10000
r0 = 2
exit
=== mx_pkt_end_minus_data_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r3 -= r2
if r3 < 14 goto +1
r0 = 1
r0 = 2
exit
=== mx_pkt_cmp_data_lt_end_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 >= r3 goto +1
r0 = *(u32 *)(r2 + 0)
r0 = 2
exit
=== mx_pkt_range_lost_after_add
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto +3
r2 += 2
r0 = *(u16 *)(r2 + 0)
r0 = *(u16 *)(r2 + 2)
r0 = 2
exit
=== mx_pkt_range_kept_after_add_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 > r3 goto +2
r2 += 2
r0 = *(u16 *)(r2 + 0)
r0 = 2
exit
=== mx_map_value_atomic_ok
; map: array:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r1 = 1
lock *(u64 *)(r0 + 8) += r1
r0 = 0
exit
=== mx_map_value_atomic_misaligned
; map: array:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r1 = 1
lock *(u64 *)(r0 + 4) += r1
r0 = 0
exit
=== mx_array_key_out_of_range_nullable
; map: array:4:16:4
r1 = 4
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit
=== mx_array_key_spilled_const_ok
; map: array:4:16:4
r1 = 3
*(u32 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit
=== mx_percpu_array_const_key_ok
; map: percpu_array:4:16:4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit
=== mx_hash_const_key_still_nullable
; map: hash:4:16:4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit
=== mx_sk_field_write
r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto +1
*(u32 *)(r2 + 4) = 1
r0 = 0
exit
=== mx_sk_field_type_denied
r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto +1
r0 = *(u32 *)(r2 + 8)
r0 = 0
exit
=== mx_sk_dst_port_u16_ok
r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto +1
r0 = *(u16 *)(r2 + 48)
r0 = 0
exit
=== mx_sk_beyond
r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto +1
r0 = *(u32 *)(r2 + 80)
r0 = 0
exit
=== mx_cgskb_ret_egress_3
; type: cgroup_skb
r0 = 3
exit
=== mx_xdp_ret_ptr_ok
; type: xdp
r0 = r1
exit
