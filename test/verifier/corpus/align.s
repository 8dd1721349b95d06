=== al_strict_map_u64_off4
; flags: 1
; map: array:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 4)
r0 = 0
exit
=== al_nostrict_map_u64_off4_ok
; map: array:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u64 *)(r0 + 4)
r0 = 0
exit
=== al_strict_map_var_off
; flags: 1
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r6 &= 4
r0 += r6
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== al_strict_map_var_off_aligned_ok
; flags: 1
; map: array:4:16:1
r6 = *(u32 *)(r1 + 0)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +3
r6 &= 8
r0 += r6
r0 = *(u64 *)(r0 + 0)
r0 = 0
exit
=== al_strict_pkt_u32_off0
; type: xdp
; flags: 1
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto +1
r0 = *(u32 *)(r2 + 0)
r0 = 2
exit
=== al_strict_pkt_u32_off2_ok
; type: xdp
; flags: 1
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto +1
r0 = *(u32 *)(r2 + 2)
r0 = 2
exit
=== al_strict_pkt_u16_off0_ok
; type: xdp
; flags: 1
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto +1
r0 = *(u16 *)(r2 + 0)
r0 = 2
exit
=== al_nostrict_pkt_u32_off1_ok
; type: xdp
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto +1
r0 = *(u32 *)(r2 + 1)
r0 = 2
exit
=== al_any_align_pkt_ok
; type: xdp
; flags: 3
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto +1
r0 = *(u32 *)(r2 + 1)
r0 = 2
exit
=== al_strict_ctx_ok
; flags: 1
r0 = *(u32 *)(r1 + 4)
exit
=== al_strict_stack_u32_ok
; flags: 1
*(u32 *)(r10 - 4) = 1
r0 = 0
exit
=== al_strict_map_u32_off2
; flags: 1
; map: array:4:16:1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = map[id:0]
call bpf_map_lookup_elem#1
if r0 == 0 goto +1
r0 = *(u32 *)(r0 + 2)
r0 = 0
exit
=== al_test_rnd_hi32_ok
; flags: 4
r0 = 0
exit
=== al_sleepable_socket
; flags: 16
r0 = 0
exit
=== al_xdp_frags_ok
; type: xdp
; flags: 32
r0 = 2
exit
=== al_unknown_flag
; flags: 1024
r0 = 0
exit
=== al_strict_map_ldimm_value_off
; flags: 1
; map: array:4:16:1
r1 = map[id:0][0]+4
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
=== al_sleepable_kprobe
; type: kprobe
; flags: 16
r0 = 0
exit
=== al_sleepable_xdp
; type: xdp
; flags: 16
r0 = 2
exit
