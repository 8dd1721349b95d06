=== bd_map_var_le_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
if r6 > 12 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_map_var_off_by_one
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
if r6 > 13 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_map_var_lt_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
if r6 >= 9 goto +3
r0 += r6
r0 = *(u64 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_map_var_reverse_cmp_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
r7 = 15
if r7 < r6 goto +3
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_map_var_signed_only_upper
; map: array:4:16:1
r6 = *(u64 *)(r1 + 48)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
if r6 s> 12 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_map_var_signed_both_ok
; map: array:4:16:1
r6 = *(u64 *)(r1 + 48)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
if r6 s> 12 goto +4
if r6 s< 0 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_map_var_signed_neg_lower
; map: array:4:16:1
r6 = *(u64 *)(r1 + 48)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
if r6 s> 12 goto +4
if r6 s< -4 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_map_var_signed_neg_lower_offset_ok
; map: array:4:16:1
r6 = *(u64 *)(r1 + 48)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
if r6 s> 8 goto +4
if r6 s< -4 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 4)
r0 = 0
r0 = 0
exit
=== bd_jmp32_upper_unknown
; map: array:4:16:1
r6 = *(u64 *)(r1 + 48)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
if w6 > 12 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_jmp32_u32_load_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
if w6 > 12 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_jmp32_w_mov_ok
; map: array:4:16:1
r6 = *(u64 *)(r1 + 48)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
w6 = w6
if w6 > 12 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_jmp32_signed_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
if w6 s> 12 goto +4
if w6 s< 0 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_jmp32_signed_only
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
if w6 s> 12 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_and_mask_then_add_ok
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 &= 0x38
r6 += 8
r0 += r6
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== bd_and_mask_then_add_oob
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r6 &= 0x38
r6 += 16
r0 += r6
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== bd_mod_bound_ok
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r6 %= 60
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
=== bd_rsh_bound_ok
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r6 >>= 27
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
=== bd_rsh_bound_oob
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r6 >>= 26
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
=== bd_linked_regs_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
r7 = r6
if r7 > 12 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_linked_regs_broken
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +6
r7 = r6
r7 += 1
if r7 > 12 goto +3
r0 += r6
r0 = *(u32 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_eq_const_ok
; map: array:4:16:1
r6 = *(u64 *)(r1 + 48)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
if r6 != 8 goto +3
r0 += r6
r0 = *(u64 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_jset_no_bound
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
if r6 & 0xfffffff0 goto +3
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
r0 = 0
exit
=== bd_dead_branch_by_bounds_ok
r6 = *(u32 *)(r1 + 0)
r6 &= 0xff
if r6 < 0x100 goto +1
r0 = *(u64 *)(r6 + 0)
r0 = 0
exit
=== bd_dead_branch_jmp32_ok
r6 = *(u32 *)(r1 + 0)
r6 |= 0x10
if w6 != 0 goto +1
r0 = *(u64 *)(r6 + 0)
r0 = 0
exit
=== bd_signed_unsigned_cross_ok
r6 = *(u32 *)(r1 + 0)
if r6 s< 0 goto +1
r0 = 0
r0 = 0
exit
=== bd_sdiv_unknown_then_index
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r6 s/= 3
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
