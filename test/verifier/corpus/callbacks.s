=== cb_loop_ok
; btf: func_info
r1 = 10
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r0 = 0
exit
=== cb_loop_ret_2
; btf: func_info
r1 = 10
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r0 = 2
exit
=== cb_loop_ret_unknown
; btf: func_info
r1 = 10
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r0 = r1
exit
=== cb_loop_ret_index_masked_ok
; btf: func_info
r1 = 10
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r0 = r1
r0 &= 1
exit
=== cb_loop_reads_r3
; btf: func_info
r1 = 10
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r0 = r3
r0 = 0
exit
=== cb_loop_ctx_stack_ok
; btf: func_info
*(u64 *)(r10 - 8) = 0
r1 = 10
r2 = func[pc+7]
r3 = r10
r3 += -8
r4 = 0
call bpf_loop#181
r0 = *(u64 *)(r10 - 8)
exit
r3 = *(u64 *)(r2 + 0)
r3 += 1
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
=== cb_loop_ctx_stack_oob
; btf: func_info
*(u64 *)(r10 - 8) = 0
r1 = 10
r2 = func[pc+7]
r3 = r10
r3 += -8
r4 = 0
call bpf_loop#181
r0 = *(u64 *)(r10 - 8)
exit
r3 = *(u64 *)(r2 + 8)
r0 = 0
exit
=== cb_loop_ctx_null_deref
; btf: func_info
r1 = 10
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r3 = *(u64 *)(r2 + 0)
r0 = 0
exit
=== cb_loop_fn_scalar
r1 = 10
r2 = 0
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
=== cb_loop_ctx_is_ctx
; btf: func_info
r1 = 10
r2 = func[pc+6]
r3 = r1
r4 = 0
call bpf_loop#181
r0 = 0
exit
r0 = 0
exit
=== cb_loop_index_bounded_ok
; btf: func_info
r1 = 10
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r2 = r10
r2 += -16
r1 &= 7
r2 += r1
*(u8 *)(r2 + 0) = 1
r0 = 0
exit
=== cb_loop_r0_is_scalar
; btf: func_info
r1 = 10
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = *(u64 *)(r0 + 0)
exit
r0 = 0
exit
=== cb_loop_nested_ok
; btf: func_info
r1 = 3
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r1 = 3
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r0 = 1
exit
=== cb_loop_callee_no_r0
; btf: func_info
r1 = 10
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
exit
=== cb_foreach_ok
; btf: func_info
; map: array:4:16:4
r1 = map[id:0]
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_for_each_map_elem#164
r0 = 0
exit
r0 = *(u64 *)(r3 + 8)
r0 = *(u32 *)(r2 + 0)
r0 = 0
exit
=== cb_foreach_value_oob
; btf: func_info
; map: array:4:16:4
r1 = map[id:0]
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_for_each_map_elem#164
r0 = 0
exit
r0 = *(u64 *)(r3 + 16)
r0 = 0
exit
=== cb_foreach_key_oob
; btf: func_info
; map: hash:4:16:4
r1 = map[id:0]
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_for_each_map_elem#164
r0 = 0
exit
r0 = *(u64 *)(r2 + 0)
r0 = 0
exit
=== cb_foreach_ret_3
; btf: func_info
; map: hash:4:16:4
r1 = map[id:0]
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_for_each_map_elem#164
r0 = 0
exit
r0 = 3
exit
=== cb_foreach_write_value_ok
; btf: func_info
; map: hash:4:16:4
r1 = map[id:0]
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_for_each_map_elem#164
r0 = 0
exit
*(u64 *)(r3 + 0) = 1
r0 = 0
exit
=== cb_foreach_ctx_stack_ok
; btf: func_info
; map: hash:4:16:4
*(u64 *)(r10 - 8) = 0
r1 = map[id:0]
r2 = func[pc+7]
r3 = r10
r3 += -8
r4 = 0
call bpf_for_each_map_elem#164
r0 = *(u64 *)(r10 - 8)
exit
r0 = *(u64 *)(r3 + 8)
*(u64 *)(r4 + 0) = r0
r0 = 0
exit
=== cb_foreach_map_arg_scalar
; btf: func_info
r1 = 0
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_for_each_map_elem#164
r0 = 0
exit
r0 = 0
exit
=== cb_loop_no_btf
r1 = 10
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r0 = 0
exit
=== cb_loop_million_counter_ok
; btf: func_info
*(u64 *)(r10 - 8) = 0
r1 = 1000000
r2 = func[pc+7]
r3 = r10
r3 += -8
r4 = 0
call bpf_loop#181
r0 = *(u64 *)(r10 - 8)
exit
r3 = *(u64 *)(r2 + 0)
r3 += 1
*(u64 *)(r2 + 0) = r3
r0 = 0
exit
=== cb_loop_unknown_nr_counter_index
; btf: func_info
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r1 = *(u32 *)(r1 + 0)
r2 = func[pc+7]
r3 = r10
r3 += -16
r4 = 0
call bpf_loop#181
r0 = *(u64 *)(r10 - 8)
exit
r3 = *(u64 *)(r2 + 0)
r3 += 1
*(u64 *)(r2 + 0) = r3
r3 &= 7
r2 += r3
*(u8 *)(r2 + 0) = 1
r0 = 0
exit
=== cb_foreach_counter_ok
; btf: func_info
; map: hash:4:16:64
*(u64 *)(r10 - 8) = 0
r1 = map[id:0]
r2 = func[pc+7]
r3 = r10
r3 += -8
r4 = 0
call bpf_for_each_map_elem#164
r0 = *(u64 *)(r10 - 8)
exit
r0 = *(u64 *)(r4 + 0)
r0 += 1
*(u64 *)(r4 + 0) = r0
r0 = 0
exit
