=== lookup_null_check_ok
; map: hash:8:16:4
r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 8)
r0 = 0
exit
=== lookup_no_null_check
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit
=== lookup_oob
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 16)
r0 = 0
exit
=== lookup_ne_check_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 != 0 goto +2
r0 = 0
exit
r0 = *(u32 *)(r0 + 12)
exit
=== lookup_copy_null_check_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 = r0
if r0 == 0 goto +1
r0 = *(u32 *)(r6 + 0)
r0 = 0
exit
=== lookup_key_short_stack
; map: hash:8:16:4
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== lookup_key_scalar
; map: hash:8:16:4
r2 = 0
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== lookup_map_scalar
r2 = r10
r2 += -8
r1 = 0
call bpf_map_lookup_elem#1
r0 = 0
exit
=== lookup_key_ctx
; map: hash:8:16:4
r2 = r1
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== lookup_var_index_unbounded
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r1 = *(u32 *)(r0 + 0)
r0 += r1
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== lookup_var_index_bounded_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = *(u32 *)(r0 + 0)
if r1 > 15 goto +2
r0 += r1
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== lookup_var_index_off_by_one
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = *(u32 *)(r0 + 0)
if r1 > 16 goto +2
r0 += r1
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== lookup_var_index_signed
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = *(u64 *)(r0 + 0)
if r1 s> 15 goto +2
r0 += r1
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== lookup_var_index_masked_ok
; map: array:4:64:1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +4
r1 = *(u64 *)(r0 + 0)
r1 &= 63
r0 += r1
r0 = *(u8 *)(r0 + 0)
r0 = 0
exit
=== lookup_negative_off
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u64 *)(r0 - 8)
r0 = 0
exit
=== lookup_ptr_arith_before_check
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 += 8
r0 = 0
exit
=== map_ptr_arith
; map: hash:8:16:4
r1 = map[id:0]
r1 += 8
r0 = 0
exit
=== map_ptr_deref
; map: hash:8:16:4
r1 = map[id:0]
r0 = *(u32 *)(r1 + 0)
exit
=== update_ok
; map: hash:8:16:4
r1 = 0
*(u64 *)(r10 - 8) = r1
*(u64 *)(r10 - 16) = r1
*(u64 *)(r10 - 24) = r1
r2 = r10
r2 += -8
r3 = r10
r3 += -24
r1 = map[id:0]
r4 = 0
call bpf_map_update_elem#2
exit
=== update_value_too_small
; map: hash:8:16:4
r2 = r10
r2 += -8
r3 = r10
r3 += -8
r1 = map[id:0]
r4 = 0
call bpf_map_update_elem#2
exit
=== update_r4_uninit
; map: hash:8:16:4
r2 = r10
r2 += -8
r3 = r10
r3 += -24
r1 = map[id:0]
call bpf_map_update_elem#2
exit
=== delete_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_delete_elem#3
exit
=== lookup_value_as_key_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r2 = r0
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== lookup_clobbers_r1
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = r1
exit
=== lookup_keeps_r6_ok
; map: hash:8:16:4
r6 = 3
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = r6
exit
=== array_write_ok
; map: array:4:8:4
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +2
r1 = 5
*(u64 *)(r0 + 0) = r1
r0 = 0
exit
=== rdonly_map_write
; map: array:4:8:4:128
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +2
r1 = 5
*(u64 *)(r0 + 0) = r1
r0 = 0
exit
=== map_value_store_ptr_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
*(u64 *)(r0 + 0) = r10
r0 = 0
exit
=== lookup_prog_array
; map: prog_array:4:4:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== tail_call_ok
; map: prog_array:4:4:4
r2 = map[id:0]
r3 = 0
call bpf_tail_call#12
r0 = 0
exit
=== tail_call_hash
; map: hash:8:16:4
r2 = map[id:0]
r3 = 0
call bpf_tail_call#12
r0 = 0
exit
=== tail_call_r1_scalar
; map: prog_array:4:4:4
r1 = 0
r2 = map[id:0]
r3 = 0
call bpf_tail_call#12
r0 = 0
exit
=== lookup_ringbuf
; map: ringbuf:0:0:4096
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== map_value_ldimm_ok
; map: array:4:16:1
r1 = map[id:0][0]+8
r0 = *(u64 *)(r1 + 0)
exit
=== map_value_ldimm_oob
; map: array:4:16:1
r1 = map[id:0][0]+8
r0 = *(u64 *)(r1 + 8)
exit
