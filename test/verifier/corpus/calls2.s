=== cl_depth_8_ok
call pc+2
r0 = 0
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
r0 = 0
exit
=== cl_depth_9
call pc+2
r0 = 0
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
call pc+1
exit
r0 = 0
exit
=== cl_combined_stack_608
*(u64 *)(r10 - 304) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 304) = 0
r0 = 0
exit
=== cl_combined_stack_512_ok
*(u64 *)(r10 - 256) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 256) = 0
r0 = 0
exit
=== cl_combined_stack_three
*(u64 *)(r10 - 200) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 200) = 0
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 200) = 0
r0 = 0
exit
=== cl_combined_stack_siblings_ok
*(u64 *)(r10 - 200) = 0
call pc+3
call pc+5
r0 = 0
exit
*(u64 *)(r10 - 300) = 0
r0 = 0
exit
*(u64 *)(r10 - 300) = 0
r0 = 0
exit
=== cl_callee_writes_caller_stack_ok
r1 = r10
r1 += -8
call pc+2
r0 = *(u64 *)(r10 - 8)
exit
*(u64 *)(r1 + 0) = 7
r0 = 0
exit
=== cl_callee_writes_caller_stack_oob
r1 = r10
r1 += -8
call pc+2
r0 = *(u64 *)(r10 - 8)
exit
*(u64 *)(r1 + 8) = 7
r0 = 0
exit
=== cl_callee_returns_ctx_ok
call pc+3
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
r0 = r1
exit
=== cl_callee_returns_scalar_deref
r1 = 5
call pc+3
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
r0 = r1
exit
=== cl_callee_spills_ctx_ok
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 8) = r1
r2 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r2 + 0)
exit
=== cl_callee_r0_uninit_used
call pc+2
r0 += 1
exit
r1 = 1
exit
=== cl_call_into_middle
r0 = 0
call pc+1
exit
r0 = 1
exit
=== cl_caller_r7_preserved_ok
r7 = r1
call pc+3
r0 = *(u32 *)(r7 + 0)
r0 = 0
exit
r7 = 5
r0 = 0
exit
=== cl_callee_scalar_pass_bounds_ok
r1 = *(u32 *)(r1 + 0)
r1 &= 7
call pc+2
r0 = 0
exit
r2 = r10
r2 += -8
r2 += r1
*(u8 *)(r2 + 0) = 1
r0 = 0
exit
=== cl_callee_unpruned_two_callsites_ok
r1 = 1
call pc+4
r1 = 2
call pc+2
r0 = 0
exit
r0 = r1
exit
=== cl_tail_call_in_subprog_no_btf
; map: prog_array:4:4:4
call pc+2
r0 = 0
exit
r2 = map[id:0]
r3 = 0
call bpf_tail_call#12
r0 = 0
exit
=== cl_tail_call_in_subprog_btf_ok
; btf: func_info
; map: prog_array:4:4:4
call pc+2
r0 = 0
exit
r2 = map[id:0]
r3 = 0
call bpf_tail_call#12
r0 = 0
exit
=== cl_btf_subprogs_ok
; btf: func_info
r1 = 1
call pc+2
r0 += 1
exit
r0 = r1
exit
