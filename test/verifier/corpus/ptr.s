=== ptr_ctx_plus_ctx
r2 = r1
r1 += r2
r0 = 0
exit
=== ptr_fp_and_mask
r2 = r10
r2 &= -8
r0 = 0
exit
=== ptr_fp_xor
r2 = r10
r2 ^= 1
r0 = 0
exit
=== ptr_fp_div
r2 = r10
r2 /= 2
r0 = 0
exit
=== ptr_fp_rsh
r2 = r10
r2 >>= 1
r0 = 0
exit
=== ptr_fp_arsh
r2 = r10
r2 s>>= 1
r0 = 0
exit
=== ptr_32bit_add_src_ptr
w2 = 1
w2 += w10
r0 = 0
exit
=== ptr_32bit_sub_then_deref
r2 = r10
w2 -= 8
r0 = *(u64 *)(r2 + 0)
exit
=== ptr_mov32_then_deref
w2 = w10
r0 = *(u64 *)(r2 - 8)
exit
=== ptr_sub_ctx_fp_ok
r2 = r10
r2 -= r1
r0 = r2
exit
=== ptr_sub_result_deref
r2 = r10
r2 -= r1
r0 = *(u64 *)(r2 + 0)
exit
=== ptr_compare_pointers_ok
r2 = r10
if r2 > r1 goto +1
r0 = 0
r0 = 1
exit
=== ptr_scalar_unknown_plus_fp
r2 = *(u32 *)(r1 + 0)
r2 = -r2
r2 += r10
r0 = 0
exit
=== ptr_fp_minus_reg
r2 = r10
r3 = 8
r2 -= r3
*(u64 *)(r2 + 0) = 1
r0 = 0
exit
=== ptr_fp_minus_unknown
r2 = r10
r3 = *(u32 *)(r1 + 0)
r2 -= r3
r0 = 0
exit
=== ptr_fp_plus_bounded_write_ok
r3 = *(u32 *)(r1 + 0)
r3 &= 0x38
r2 = r10
r2 += -64
r2 += r3
*(u64 *)(r2 + 0) = 7
r0 = 0
exit
=== ptr_fp_var_write_misaligned
r3 = *(u32 *)(r1 + 0)
r3 &= 0x3c
r2 = r10
r2 += -64
r2 += r3
*(u64 *)(r2 + 0) = 7
r0 = 0
exit
=== ptr_fp_var_read_uninit_ok
r3 = *(u32 *)(r1 + 0)
r3 &= 0x38
r2 = r10
r2 += -64
r2 += r3
r0 = *(u64 *)(r2 + 0)
exit
=== ptr_ctx_var_off
r3 = *(u32 *)(r1 + 0)
r3 &= 4
r1 += r3
r0 = *(u32 *)(r1 + 0)
exit
=== ptr_map_value_minus_scalar
; map: array:4:16:1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r0 += 8
r0 -= 4
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
=== ptr_map_value_neg_then_read
; map: array:4:16:1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +2
r0 += -4
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
=== ptr_map_value_plus_map_value
; map: array:4:16:1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +2
r1 = r0
r0 += r1
r0 = 0
exit
=== ptr_map_value_sub_self_ok
; map: array:4:16:1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r1 = r0
r1 += 8
r1 -= r0
r0 = 0
exit
=== ptr_map_value_unknown_add
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r6 <<= 32
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== ptr_map_value_add_neg_const_bounded
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 &= 7
r6 -= 4
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== ptr_map_value_add_bounded_then_const_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 &= 7
r0 += r6
r0 += 4
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
=== ptr_map_ptr_add_zero_ok
; map: array:4:16:1
r1 = map[id:0]
r1 += 0
r0 = 0
exit
=== ptr_map_ptr_sub
; map: array:4:16:1
r1 = map[id:0]
r1 -= 8
r0 = 0
exit
=== ptr_pkt_end_sub
; type: xdp
r3 = *(u32 *)(r1 + 4)
r3 -= 1
r0 = 0
exit
=== ptr_pkt_minus_pkt_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r3 -= r2
r0 = r3
exit
=== ptr_pkt_var_checked_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = *(u32 *)(r1 + 12)
r4 &= 0xff
r2 += r4
r5 = r2
r5 += 4
if r5 > r3 goto +1
r0 = *(u32 *)(r2 + 0)
r0 = 2
exit
=== ptr_pkt_var_unchecked
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = *(u32 *)(r1 + 12)
r4 &= 0xff
r5 = r2
r5 += 4
if r5 > r3 goto +2
r2 += r4
r0 = *(u32 *)(r2 + 0)
r0 = 2
exit
=== ptr_pkt_range_32bit_cmp
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r5 = r2
r5 += 4
if w5 > w3 goto +1
r0 = *(u32 *)(r2 + 0)
r0 = 2
exit
=== ptr_pkt_range_ge_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r5 = r2
r5 += 8
if r3 >= r5 goto +2
r0 = 1
exit
r0 = *(u64 *)(r2 + 0)
r0 = 2
exit
=== ptr_pkt_unbounded_var
; type: xdp
r2 = *(u32 *)(r1 + 0)
r4 = *(u32 *)(r1 + 12)
r2 += r4
r0 = 2
exit
=== ptr_store_fp_to_map_ok
; map: hash:8:16:4
r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
*(u64 *)(r0 + 0) = r10
r0 = 0
exit
=== ptr_store_ctx_to_ctx_cb
*(u64 *)(r1 + 48) = r1
r0 = 0
exit
=== ptr_return_fp_ok
r0 = r10
exit
=== ptr_return_map_value_xdp_ok
; type: xdp
; map: array:4:8:1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
exit
=== ptr_atomic_store_ptr
r2 = 0
*(u64 *)(r10 - 8) = r2
r3 = r10
lock *(u64 *)(r10 - 8) += r3
r0 = 0
exit
