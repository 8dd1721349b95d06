=== rb_reserve_submit_ok
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +5
*(u64 *)(r0 + 0) = 1
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== rb_reserve_discard_ok
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +4
r1 = r0
r2 = 0
call bpf_ringbuf_discard#133
r0 = 0
exit
=== rb_reserve_leak
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +1
*(u64 *)(r0 + 0) = 1
r0 = 0
exit
=== rb_reserve_leak_unchecked
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r0 = 0
exit
=== rb_submit_unchecked
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== rb_submit_twice
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +8
r6 = r0
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r1 = r6
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== rb_use_after_submit
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +5
r6 = r0
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
*(u64 *)(r6 + 0) = 1
r0 = 0
exit
=== rb_write_oob
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +5
*(u64 *)(r0 + 8) = 1
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== rb_size_not_const
; map: ringbuf:0:0:4096
r6 = *(u32 *)(r1 + 0)
r6 &= 15
r1 = map[id:0]
r2 = r6
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +4
r1 = r0
r2 = 0
call bpf_ringbuf_discard#133
r0 = 0
exit
=== rb_submit_offset_ptr
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 16
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +5
r1 = r0
r1 += 8
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== rb_submit_stack_ptr
; map: ringbuf:0:0:4096
r1 = r10
r1 += -8
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== rb_reserve_wrong_map
; map: hash:8:8:4
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
r0 = 0
exit
=== rb_output_ok
; map: ringbuf:0:0:4096
*(u64 *)(r10 - 8) = 0
r1 = map[id:0]
r2 = r10
r2 += -8
r3 = 8
r4 = 0
call bpf_ringbuf_output#130
r0 = 0
exit
=== rb_output_too_big
; map: ringbuf:0:0:4096
*(u64 *)(r10 - 8) = 0
r1 = map[id:0]
r2 = r10
r2 += -8
r3 = 16
r4 = 0
call bpf_ringbuf_output#130
r0 = 0
exit
=== rb_leak_one_branch
; map: ringbuf:0:0:4096
r6 = *(u32 *)(r1 + 0)
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +6
if r6 == 0 goto +5
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
r0 = 0
exit
=== rb_spill_fill_submit_ok
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +5
*(u64 *)(r10 - 8) = r0
r1 = *(u64 *)(r10 - 8)
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== rb_ptr_arith_then_write_ok
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 16
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +7
r1 = r0
r1 += 8
*(u64 *)(r1 + 0) = 2
r1 = r0
r2 = 0
call bpf_ringbuf_submit#132
r0 = 0
exit
=== rb_reserve_in_xdp_ok
; type: xdp
; map: ringbuf:0:0:4096
r1 = map[id:0]
r2 = 4
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +4
r1 = r0
r2 = 0
call bpf_ringbuf_discard#133
r0 = 2
exit
=== rb_leak_via_tail_call
; map: ringbuf:0:0:4096
; map: prog_array:4:4:4
r6 = r1
r1 = map[id:0]
r2 = 8
r3 = 0
call bpf_ringbuf_reserve#131
if r0 == 0 goto +4
r1 = r6
r2 = map[id:1]
r3 = 0
call bpf_tail_call#12
r0 = 0
exit
=== sl_lock_no_btf
; map: hash:4:8:4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +2
r1 = r0
call bpf_spin_lock#93
r0 = 0
exit
=== sl_unlock_no_btf
; map: array:4:8:4
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +2
r1 = r0
call bpf_spin_unlock#94
r0 = 0
exit
=== sl_lock_stack_ptr
r1 = r10
r1 += -8
call bpf_spin_lock#93
r0 = 0
exit
