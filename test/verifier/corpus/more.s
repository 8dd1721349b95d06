=== mo_prune_must_not_hide_unsafe
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r7 = 0
if r6 > 10 goto +1
r7 = 16
r0 += r7
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mo_prune_converge_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r7 = 0
if r6 > 10 goto +1
r7 = 8
r0 += r7
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== mo_prune_stack_slot_unsafe
*(u64 *)(r10 - 8) = r1
r6 = *(u32 *)(r1 + 0)
if r6 > 10 goto +1
*(u64 *)(r10 - 8) = 0
r1 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r1 + 0)
exit
=== mo_prune_stack_zero_vs_misc
r6 = *(u32 *)(r1 + 0)
*(u64 *)(r10 - 8) = 0
if r6 > 10 goto +1
*(u64 *)(r10 - 8) = r6
r1 = *(u64 *)(r10 - 8)
if r1 == 0 goto +1
r0 = 0
r0 = 0
exit
=== mo_scalar_cmp_both_unknown_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r7 &= 15
if r6 >= r7 goto +2
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mo_scalar_cmp_signed_regs
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r7 &= 15
if r6 s>= r7 goto +2
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mo_cb_calls_subprog_ok
; btf: func_info
r1 = 4
r2 = func[pc+6]
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
call pc+2
r0 = 0
exit
r0 = 1
exit
=== mo_ptr_cmp_map_value_scalar_ok
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 > r6 goto +1
r0 = 0
r0 = 0
exit
=== mo_rdonly_map_st
; map: array:4:16:1:128
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
*(u64 *)(r0 + 0) = 1
r0 = 0
exit
=== mo_rdonly_map_read_ok
; map: array:4:16:1:128
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit
=== mo_rdonly_map_helper_write
; type: kprobe
; map: array:4:16:1:128
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r1 = r0
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== mo_wronly_map_read
; map: array:4:16:1:256
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit
=== mo_ldimm_value_var_off_ok
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
r6 &= 0x38
r1 = map[id:0][0]+0
r1 += r6
r0 = *(u64 *)(r1 + 0)
exit
=== mo_ldimm_value_var_off_oob
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
r6 &= 0x38
r1 = map[id:0][0]+8
r1 += r6
r0 = *(u64 *)(r1 + 0)
exit
=== mo_ldimm_value_hash
; map: hash:4:64:1
r1 = map[id:0][0]+0
r0 = 0
exit
=== mo_cmpxchg_r0_uninit
*(u64 *)(r10 - 8) = 0
r1 = 1
r0 = atomic64_cmpxchg((u64 *)(r10 - 8), r0, r1)
r0 = 0
exit
=== mo_cmpxchg_ok
*(u64 *)(r10 - 8) = 0
r1 = 1
r0 = 0
r0 = atomic64_cmpxchg((u64 *)(r10 - 8), r0, r1)
exit
=== mo_atomic_ringbuf_ok
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +6
r1 = 1
lock *(u64 *)(r0 + 0) += r1
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== mo_atomic_pkt
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto +2
r1 = 1
lock *(u64 *)(r2 + 0) += r1
r0 = 2
exit
=== mo_atomic_u32_on_stack_ok
*(u64 *)(r10 - 8) = 0
r1 = 1
lock *(u32 *)(r10 - 4) += r1
r0 = 0
exit
=== mo_atomic_u32_misaligned
*(u64 *)(r10 - 8) = 0
r1 = 1
lock *(u32 *)(r10 - 6) += r1
r0 = 0
exit
=== mo_pkt_var_off_id_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = *(u32 *)(r1 + 16)
r4 &= 0x3f
r2 += r4
r5 = r2
r5 += 8
if r5 > r3 goto +1
r0 = *(u64 *)(r2 + 0)
r0 = 2
exit
=== mo_pkt_var_off_other_copy
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = *(u32 *)(r1 + 16)
r4 &= 0x3f
r6 = r2
r2 += r4
r6 += r4
r5 = r2
r5 += 8
if r5 > r3 goto +1
r0 = *(u64 *)(r6 + 0)
r0 = 2
exit
=== mo_pkt_end_cmp_reversed_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r5 = r2
r5 += 8
if r3 < r5 goto +1
r0 = *(u64 *)(r2 + 0)
r0 = 2
exit
=== mo_pkt_end_cmp_wrong_side
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r5 = r2
r5 += 8
if r3 >= r5 goto +1
r0 = *(u64 *)(r2 + 0)
r0 = 2
exit
=== mo_pkt_eq_end
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r5 = r2
r5 += 8
if r5 == r3 goto +1
r0 = 2
r0 = *(u8 *)(r2 + 0)
r0 = 2
exit
=== mo_jset_const_decided_ok
r1 = 6
if r1 & 1 goto +1
r0 = 0
r0 = 0
exit
=== mo_jset_refines_ok
r6 = *(u32 *)(r1 + 0)
r6 &= 3
if r6 & 3 goto +2
if r6 == 0 goto +1
r0 = *(u64 *)(r6 + 0)
r0 = 0
exit
=== mo_div_by_reg_then_index
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 &= 15
r6 /= r7
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mo_mod_by_reg_unknown
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
r7 = *(u32 *)(r1 + 4)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r7 &= 15
r6 %= r7
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mo_xor_self_zero_ok
r6 = *(u32 *)(r1 + 0)
r6 ^= r6
if r6 == 0 goto +1
r0 = *(u64 *)(r6 + 0)
r0 = 0
exit
=== mo_sub_self_zero_ok
r6 = *(u32 *)(r1 + 0)
r6 -= r6
if r6 == 0 goto +1
r0 = *(u64 *)(r6 + 0)
r0 = 0
exit
=== mo_mul_bounds_ok
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 &= 7
r6 *= 8
r0 += r6
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== mo_lsh_then_rsh_ok
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 <<= 58
r6 >>= 58
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mo_arsh_negative
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 <<= 58
r6 s>>= 58
r0 += r6
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== mo_or_bounds
; map: array:4:64:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 &= 7
r6 |= 0x38
r0 += r6
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== mo_callee_refines_caller_stack_ok
r1 = *(u32 *)(r1 + 0)
*(u64 *)(r10 - 8) = r1
r1 = r10
r1 += -8
call pc+8
r2 = *(u64 *)(r10 - 8)
r2 &= 7
r3 = r10
r3 += -16
r3 += r2
*(u8 *)(r3 + 0) = 1
r0 = 0
exit
r0 = 0
exit
=== mo_subprog_stack_depth_unaligned_ok
*(u8 *)(r10 - 1) = 1
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 504) = 1
r0 = 0
exit
=== mo_subprog_unaligned_sum_too_big
*(u8 *)(r10 - 9) = 1
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 504) = 1
r0 = 0
exit
=== mo_exit_with_offset_ok
r0 = 0
.insn 0x95 0 0 7 0
=== mo_exit_with_imm
r0 = 0
.insn 0x95 0 0 0 1
=== mo_zero_size_helper_at_fp_top
; type: kprobe
r1 = r10
r2 = 0
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
=== mo_tail_call_r0_not_init
; map: prog_array:4:4:4
r2 = map[id:0]
r3 = 0
call bpf_tail_call#12
exit
=== mo_ldabs_xdp_reserved_fields
; type: xdp
r6 = r1
.insn 0x30 1 0 0 12
exit
=== mo_addr_space_cast_no_arena
r1 = 0
.insn 0xbf 1 1 1 1
r0 = 0
exit
=== mo_addr_space_cast_bad_imm
r1 = 0
.insn 0xbf 1 1 1 5
r0 = 0
exit
=== mo_atomic_u16_add
*(u64 *)(r10 - 8) = 0
r1 = 1
.insn 0xcb 10 1 -8 0
r0 = 0
exit
=== mo_func_ptr_offset_to_loop
; btf: func_info
r1 = 10
r2 = func[pc+7]
r2 += 8
r3 = 0
r4 = 0
call bpf_loop#181
r0 = 0
exit
r0 = 0
exit
=== mo_kprobe_private_stack_ok
; type: kprobe
*(u8 *)(r10 - 9) = 1
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 504) = 1
r0 = 0
exit
=== mo_kprobe_private_stack_both_big_ok
; type: kprobe
*(u64 *)(r10 - 304) = 1
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 304) = 1
r0 = 0
exit
=== mo_kprobe_small_frames_combined
; type: kprobe
*(u64 *)(r10 - 48) = 1
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 48) = 1
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 504) = 1
r0 = 0
exit
=== mo_xdp_no_private_stack
; type: xdp
*(u8 *)(r10 - 9) = 1
call pc+2
r0 = 0
exit
*(u64 *)(r10 - 504) = 1
r0 = 0
exit
=== mo_syscall_prog_array
; type: syscall
; map: prog_array:4:4:4
r1 = map[id:0]
r0 = 0
exit
=== mo_syscall_queue
; type: syscall
; map: queue:0:8:4
r1 = map[id:0]
r0 = 0
exit
=== mo_syscall_ringbuf_ok
; type: syscall
; map: ringbuf:0:0:4096
r1 = map[id:0]
r0 = 0
exit
=== mo_syscall_perf_event_array
; type: syscall
; map: perf_event_array:4:4:4
r1 = map[id:0]
r0 = 0
exit
=== mo_tc_remote_ip4
; type: sched_cls
r0 = *(u32 *)(r1 + 92)
r0 = 0
exit
=== mo_tc_local_port
; type: sched_cls
r0 = *(u32 *)(r1 + 136)
r0 = 0
exit
=== mo_syscall_probe_read_ok
; type: syscall
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call bpf_probe_read#4
r0 = 0
exit
=== mo_jmp_reserved_dst_uninit
.insn 0xa5 0 9 0 4
r0 = 0
exit
=== mo_cmpxchg_src_and_r0_uninit
*(u64 *)(r10 - 8) = 0
r0 = atomic64_cmpxchg((u64 *)(r10 - 8), r0, r5)
r0 = 0
exit
=== mo_pkt_second_check_decided
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto +4
if r4 > r3 goto +1
goto +2
r0 = *(u64 *)(r10 + 8)
exit
r0 = 2
exit
=== mo_pkt_data_vs_end_decided
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto +3
if r2 < r3 goto +1
r0 = *(u64 *)(r10 + 8)
r0 = 2
exit
r0 = 2
exit
=== mo_pkt_lt_after_gt
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto +3
if r3 < r4 goto +1
goto +1
r0 = *(u64 *)(r10 + 8)
r0 = 2
exit
=== mo_pkt_meta_second_check
; type: xdp
r2 = *(u32 *)(r1 + 8)
r3 = *(u32 *)(r1 + 0)
r4 = r2
r4 += 8
if r4 > r3 goto +3
if r4 > r3 goto +1
r0 = *(u64 *)(r2 + 0)
r0 = 2
exit
