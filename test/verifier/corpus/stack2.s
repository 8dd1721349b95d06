=== stk_zero_read_known_ok
*(u64 *)(r10 - 8) = 0
r1 = *(u32 *)(r10 - 8)
if r1 == 0 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== stk_zero_byte_read_known_ok
*(u64 *)(r10 - 8) = 0
r1 = *(u8 *)(r10 - 5)
if r1 == 0 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== stk_zero_partly_overwritten
*(u64 *)(r10 - 8) = 0
*(u8 *)(r10 - 6) = 1
r1 = *(u32 *)(r10 - 8)
if r1 == 0 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== stk_zero_reg_spill_u32_fill_ok
r2 = 0
*(u64 *)(r10 - 8) = r2
r1 = *(u32 *)(r10 - 8)
if r1 == 0 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== stk_spill_u32_const_fill_u32_ok
r2 = 7
*(u32 *)(r10 - 8) = r2
r1 = *(u32 *)(r10 - 8)
if r1 == 7 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== stk_spill_u32_fill_u64_unknown
r2 = 7
*(u32 *)(r10 - 8) = r2
r1 = *(u64 *)(r10 - 8)
if r1 == 7 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== stk_spill_u64_fill_u32_high_half
r2 = 7
*(u64 *)(r10 - 8) = r2
r1 = *(u32 *)(r10 - 4)
if r1 == 0 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== stk_spill_u64_fill_u32_low_ok
r2 = 7
*(u64 *)(r10 - 8) = r2
r1 = *(u32 *)(r10 - 8)
if r1 == 7 goto +1
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== stk_spill_bounds_kept_ok
r2 = *(u32 *)(r1 + 0)
r2 &= 15
*(u64 *)(r10 - 16) = r2
r3 = *(u64 *)(r10 - 16)
r4 = r10
r4 += -32
r4 += r3
*(u8 *)(r4 + 0) = 1
r0 = 0
exit
=== stk_spill_bounds_lost_on_u8_store
r2 = *(u32 *)(r1 + 0)
r2 &= 15
*(u64 *)(r10 - 16) = r2
*(u8 *)(r10 - 9) = 0
r3 = *(u64 *)(r10 - 16)
r4 = r10
r4 += -32
r4 += r3
*(u8 *)(r4 + 0) = 1
r0 = 0
exit
=== stk_spill_ptr_fill_deref_ok
; type: xdp
*(u64 *)(r10 - 16) = r1
r6 = *(u64 *)(r10 - 16)
r0 = *(u32 *)(r6 + 12)
r0 = 2
exit
=== stk_spill_fp_fill_use_ok
r2 = r10
r2 += -8
*(u64 *)(r10 - 16) = r2
r3 = *(u64 *)(r10 - 16)
*(u64 *)(r3 + 0) = 5
r0 = *(u64 *)(r10 - 8)
exit
=== stk_spill_ptr_misaligned_fill
*(u64 *)(r10 - 16) = r1
r2 = *(u64 *)(r10 - 12)
r0 = 0
exit
=== stk_spill_ptr_u8_overwrite_then_fill_scalar
*(u64 *)(r10 - 8) = r1
*(u8 *)(r10 - 1) = 3
r2 = *(u64 *)(r10 - 8)
r0 = r2
exit
=== stk_spill_ptr_read_byte
*(u64 *)(r10 - 8) = r1
r0 = *(u8 *)(r10 - 8)
exit
=== stk_uninit_read_to_helper_key_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== stk_uninit_read_deref
r1 = *(u64 *)(r10 - 8)
r0 = *(u64 *)(r1 + 0)
exit
=== stk_var_off_write_then_read_ok
r3 = *(u32 *)(r1 + 0)
r3 &= 8
r2 = r10
r2 += -16
r2 += r3
*(u64 *)(r2 + 0) = 1
r0 = *(u64 *)(r10 - 16)
exit
=== stk_var_off_read_lower_oob
r3 = *(u32 *)(r1 + 0)
r3 &= 8
r2 = r10
r2 += -520
r2 += r3
r0 = *(u64 *)(r2 + 0)
exit
=== stk_var_off_signed
r3 = *(u32 *)(r1 + 0)
r3 &= 8
r3 -= 16
r2 = r10
r2 += r3
*(u64 *)(r2 + 0) = 1
r0 = 0
exit
=== stk_var_off_helper_ok
; map: hash:8:16:4
r3 = *(u32 *)(r1 + 0)
r3 &= 8
r2 = r10
r2 += -16
r2 += r3
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== stk_var_off_helper_oob
; map: hash:8:16:4
r3 = *(u32 *)(r1 + 0)
r3 &= 8
r2 = r10
r2 += -8
r2 += r3
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== stk_u32_aligned_ok
*(u32 *)(r10 - 4) = 1
*(u16 *)(r10 - 6) = 2
*(u8 *)(r10 - 7) = 3
r0 = *(u32 *)(r10 - 4)
exit
=== stk_u32_misaligned_read
r0 = *(u32 *)(r10 - 6)
exit
=== stk_via_offset_reg_misaligned
r2 = r10
r2 += -3
r0 = *(u32 *)(r2 + 0)
exit
=== stk_via_offset_reg_aligned_ok
r2 = r10
r2 += -3
r0 = *(u32 *)(r2 - 5)
exit
=== stk_any_align_still_strict
; flags: 2
*(u64 *)(r10 - 12) = 1
r0 = 0
exit
=== stk_var_off_misaligned_any_align
; flags: 2
r3 = *(u32 *)(r1 + 0)
r3 &= 4
r2 = r10
r2 += -16
r2 += r3
*(u64 *)(r2 + 0) = 1
r0 = 0
exit
=== stk_write_beyond_512_via_ptr
r2 = r10
r2 += -512
*(u64 *)(r2 - 8) = 1
r0 = 0
exit
=== stk_xadd_uninit_ok
r1 = 1
lock *(u64 *)(r10 - 8) += r1
r0 = 0
exit
=== stk_zero_slot_as_index_ok
; map: array:4:8:1
*(u64 *)(r10 - 16) = 0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r1 = *(u64 *)(r10 - 16)
r0 += r1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
