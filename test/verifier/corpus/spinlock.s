=== sl_pair_ok
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
r6 = r0
r1 = r0
call bpf_spin_lock#93
r1 = r6
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_pair_write_inside_ok
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +6
r6 = r0
r1 = r0
call bpf_spin_lock#93
*(u64 *)(r6 + 8) = 1
r1 = r6
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_no_unlock
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r6 = r0
r1 = r0
call bpf_spin_lock#93
r0 = 0
exit
=== sl_unlock_without_lock
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +2
r1 = r0
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_double_lock
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +7
r6 = r0
r1 = r0
call bpf_spin_lock#93
r1 = r6
call bpf_spin_lock#93
r1 = r6
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_helper_inside
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +6
r6 = r0
r1 = r0
call bpf_spin_lock#93
call bpf_ktime_get_ns#5
r1 = r6
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_wrong_offset
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +6
r6 = r0
r1 = r0
r1 += 8
call bpf_spin_lock#93
r1 = r6
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_lock_at_8_ok
; type: sched_cls
; map: hash:4:16:4:0:lock=8
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +7
r6 = r0
r1 = r0
r1 += 8
call bpf_spin_lock#93
r1 = r6
r1 += 8
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_load_lock_word
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
=== sl_load_next_to_lock_ok
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u32 *)(r0 + 4)
r0 = 0
exit
=== sl_store_overlapping_lock
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
*(u64 *)(r0 + 0) = 0
r0 = 0
exit
=== sl_socket_filter
; type: socket_filter
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== sl_kprobe
; type: kprobe
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== sl_xdp_pair_ok
; type: xdp
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
r6 = r0
r1 = r0
call bpf_spin_lock#93
r1 = r6
call bpf_spin_unlock#94
r0 = 2
exit
=== sl_unlock_other_lookup
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +12
r6 = r0
r1 = 0
*(u32 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
r7 = r0
r1 = r6
call bpf_spin_lock#93
r1 = r7
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_unlock_in_branch_only
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r9 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +6
r6 = r0
r1 = r0
call bpf_spin_lock#93
if r9 == 0 goto +2
r1 = r6
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_subprog_inside_ok
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +6
r6 = r0
r1 = r0
call bpf_spin_lock#93
call pc+4
r1 = r6
call bpf_spin_unlock#94
r0 = 0
exit
r0 = 0
exit
=== sl_array_pair_ok
; type: sched_cls
; map: array:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +5
r6 = r0
r1 = r0
call bpf_spin_lock#93
r1 = r6
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_ldabs_inside
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r7 = r1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +7
r6 = r0
r1 = r0
call bpf_spin_lock#93
r6 = r7
.insn 0x30 0 0 0 12
r1 = r6
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_var_offset
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r9 = *(u32 *)(r1 + 0)
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +7
r6 = r0
r9 &= 8
r1 = r0
r1 += r9
call bpf_spin_lock#93
r1 = r6
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_helper_writes_lock
; type: sched_cls
; map: hash:4:16:4:0:lock=0
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = r0
r2 = 8
r3 = 0
call bpf_probe_read_kernel#113
r0 = 0
exit
