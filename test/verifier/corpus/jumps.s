=== both_branches_ok
r0 = *(u32 *)(r1 + 0)
if r0 > 5 goto +1
r0 = 1
exit
=== branch_uninit_one_side
r0 = *(u32 *)(r1 + 0)
if r0 > 5 goto +1
r2 = 1
r0 = r2
exit
=== dead_branch_pruned_ok
r0 = 1
if r0 == 1 goto +1
r0 = r3
exit
=== dead_branch_taken_ok
r0 = 1
if r0 != 1 goto +1
exit
r0 = r7
exit
=== jset_ok
r0 = *(u32 *)(r1 + 0)
if r0 & 1 goto +1
r0 = 2
exit
=== jmp32_ok
r0 = *(u32 *)(r1 + 0)
if w0 > 5 goto +1
w0 = 1
exit
=== bounded_loop_10_ok
r0 = 0
r1 = 10
loop:
r0 += 1
r1 -= 1
if r1 != 0 goto loop
exit
=== bounded_loop_10000_ok
r0 = 0
r1 = 10000
loop:
r0 += 1
r1 -= 1
if r1 != 0 goto loop
exit
=== infinite_loop_goto
r0 = 0
loop:
r0 += 0
if r0 == 0 goto loop
exit
=== infinite_loop_two_regs
r0 = 0
r1 = 0
loop:
r1 += 0
r1 += 0
if r0 == 0 goto loop
exit
=== loop_too_long
r0 = 0
loop:
r0 += 1
if r0 < 2000000 goto loop
exit
=== loop_unknown_bound
r0 = 0
r1 = *(u32 *)(r1 + 0)
loop:
r0 += 1
if r0 < r1 goto loop
exit
=== loop_unknown_bound_clamped_ok
r0 = 0
r1 = *(u32 *)(r1 + 0)
if r1 > 100 goto +3
loop:
r0 += 1
if r0 < r1 goto loop
exit
r0 = 0
exit
=== jump_out_of_range
goto +5
r0 = 0
exit
=== unreachable
r0 = 0
exit
r0 = 1
exit
=== last_not_exit
r0 = 0
exit
r0 = 1
=== back_jump_range
r0 = 0
goto -3
exit
=== branches_many_ok
r2 = *(u32 *)(r1 + 0)
r0 = 0
if r2 == 1 goto +1
r0 += 1
if r2 == 2 goto +1
r0 += 1
if r2 == 3 goto +1
r0 += 1
if r2 == 4 goto +1
r0 += 1
if r2 == 5 goto +1
r0 += 1
if r2 == 6 goto +1
r0 += 1
if r2 == 7 goto +1
r0 += 1
if r2 == 8 goto +1
r0 += 1
exit
=== signed_refine_ok
r2 = *(u64 *)(r1 + 48)
if r2 s< 0 goto +6
if r2 s> 7 goto +5
r3 = r10
r3 += -8
r3 += r2
r0 = *(u8 *)(r3 + 0)
exit
r0 = 0
exit
=== signed_refine_missing_lower
r2 = *(u64 *)(r1 + 48)
if r2 s> 7 goto +5
r3 = r10
r3 += -8
r3 += r2
r0 = *(u8 *)(r3 + 0)
exit
r0 = 0
exit
=== linked_scalar_ok
; map: array:4:64:1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +6
r1 = *(u64 *)(r0 + 0)
r2 = r1
if r2 > 63 goto +3
r0 += r1
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== ctx_null_compare_ok
if r1 == 0 goto +1
r0 = 0
exit
