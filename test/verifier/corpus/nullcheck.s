=== nc_copy_check_copy_use_orig_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r1 = r0
if r1 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== nc_spill_check_fill_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
*(u64 *)(r10 - 16) = r0
if r0 == 0 goto +2
r1 = *(u64 *)(r10 - 16)
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== nc_fill_before_check
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
*(u64 *)(r10 - 16) = r0
r1 = *(u64 *)(r10 - 16)
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== nc_null_side_deref
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 != 0 goto +2
r0 = *(u64 *)(r0 + 0)
exit
r0 = 0
exit
=== nc_check_other_lookup
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r6 = r0
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u64 *)(r6 + 0)
r0 = 0
exit
=== nc_check_with_one
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 1 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== nc_check_jmp32
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if w0 == 0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== nc_check_reg_zero_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r3 = 0
if r0 == r3 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== nc_check_reversed_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r3 = 0
if r3 == r0 goto +1
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== nc_check_gt_zero
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 > 0 goto +1
exit
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== nc_copy_after_check_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r1 = r0
r1 += 8
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== nc_copy_offset_before_check
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r1 = r0
if r0 == 0 goto +2
r1 += 8
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== nc_null_return_ok
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
exit
=== nc_array_still_nullable
; map: array:4:16:4
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = *(u64 *)(r0 + 0)
exit
=== nc_pass_nullable_as_key
; map: hash:8:16:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
r2 = r0
r1 = map[id:0]
call bpf_map_lookup_elem#1
r0 = 0
exit
=== nc_pass_value_as_key_ok
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
=== nc_value_smaller_than_key
; map: hash:8:16:4
; map: hash:32:4:4
r2 = r10
r2 += -8
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r2 = r0
r1 = map[id:1]
call bpf_map_lookup_elem#1
r0 = 0
exit
