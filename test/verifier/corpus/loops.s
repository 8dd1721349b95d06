=== lp_nested_ok
r0 = 0
r1 = 0
r2 = 0
r0 += 1
r2 += 1
if r2 < 4 goto -3
r1 += 1
if r1 < 4 goto -6
exit
=== lp_jmp32_counter_ok
w1 = 0
w1 += 1
if w1 < 50 goto -2
r0 = 0
exit
=== lp_countdown_signed_ok
r1 = 20
r1 -= 1
if r1 s> 0 goto -2
r0 = r1
exit
=== lp_stack_fill_ok
r1 = 0
r2 = r10
r2 += -64
r2 += r1
*(u8 *)(r2 + 0) = 0
r1 += 1
if r1 < 64 goto -6
r0 = 0
exit
=== lp_stack_fill_oob
r1 = 0
r2 = r10
r2 += -64
r2 += r1
*(u8 *)(r2 + 0) = 0
r1 += 1
if r1 < 65 goto -6
r0 = 0
exit
=== lp_dead_reg_changes_infinite
r1 = 0
r2 = 0
r2 += 1
if r1 == 0 goto -2
r0 = 0
exit
=== lp_ctx_bounded_loop_ok
r6 = *(u32 *)(r1 + 0)
r6 &= 15
r0 = 0
r0 += 1
if r0 < r6 goto -2
r0 = 0
exit
=== lp_unknown_ne_counter
r6 = *(u32 *)(r1 + 0)
r0 = 0
r0 += 2
if r0 != r6 goto -2
r0 = 0
exit
=== lp_subprog_loop_ok
r1 = 5
call pc+2
r0 = 0
exit
r0 = 0
r0 += 1
if r0 < r1 goto -2
exit
=== lp_while_true_break_ok
r1 = 0
r1 += 1
if r1 > 30 goto +1
goto -3
r0 = 0
exit
=== lp_while_true_no_break
r6 = *(u32 *)(r1 + 0)
r6 += 1
goto -2
=== lp_nested_too_long
r0 = 0
r1 = 0
r2 = 0
r0 += 1
r2 += 1
if r2 < 1000 goto -3
r1 += 1
if r1 < 1000 goto -6
exit
=== lp_infinite_in_subprog
call pc+2
r0 = 0
exit
r1 = 0
if r1 == 0 goto -1
r0 = 0
exit
=== lp_backjump_into_loop_body_ok
r1 = 0
goto +1
r1 += 1
r1 += 1
if r1 < 10 goto -3
r0 = 0
exit
=== lp_may_goto_free_ok
r1 = 3
r1 -= 1
if r1 != 0 goto -2
r0 = 0
exit
=== lp_loop_state_grows
r1 = 0
r2 = 0
r2 += r1
r1 += 1
if r1 < 100 goto -3
r0 = r2
exit
