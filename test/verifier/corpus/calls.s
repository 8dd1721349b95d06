=== call_ok
r1 = 1
call pc+2
r0 += 1
exit
r0 = r1
exit
=== callee_reads_r6
r6 = 1
call pc+2
r0 = 0
exit
r0 = r6
exit
=== callee_no_r0
call pc+2
r0 = 0
exit
exit
=== caller_r1_clobbered
r1 = 1
call pc+2
r0 = r1
exit
r0 = 0
exit
=== caller_r6_kept_ok
r6 = 1
call pc+2
r0 = r6
exit
r0 = 0
exit
=== return_stack_ptr
call pc+2
r0 = 0
exit
r0 = r10
exit
=== pass_stack_ptr_ok
r1 = r10
r1 += -8
*(u64 *)(r10 - 8) = 0
call pc+2
r0 = 0
exit
r0 = *(u64 *)(r1 + 0)
exit
=== callee_stack_ok
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 8) = 1
r0 = *(u64 *)(r10 - 8)
exit
=== combined_stack_too_large
*(u64 *)(r10 - 300) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 300) = 1
r0 = 0
exit
=== combined_stack_fits_ok
*(u64 *)(r10 - 256) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 240) = 1
r0 = 0
exit
=== nested_calls_ok
call pc+2
r0 = 0
exit
call pc+1
exit
r0 = 1
exit
=== recursion
call pc+2
r0 = 0
exit
call pc-1
exit
=== callee_ctx_ok
call pc+2
r0 = 0
exit
r0 = *(u32 *)(r1 + 0)
exit
