=== st_u64_ok
*(u64 *)(r10 - 8) = 1
r0 = *(u64 *)(r10 - 8)
exit
=== st_u64_oob_low
*(u64 *)(r10 - 520) = 1
r0 = 0
exit
=== st_u32_top
*(u32 *)(r10 + 0) = 1
r0 = 0
exit
=== st_u64_misaligned
*(u64 *)(r10 - 12) = 1
r0 = 0
exit
=== st_u16_misaligned
*(u16 *)(r10 - 3) = 1
r0 = 0
exit
=== read_uninit_ok
r0 = *(u64 *)(r10 - 16)
exit
=== read_oob
r0 = *(u64 *)(r10 - 520)
exit
=== read_top
r0 = *(u8 *)(r10 + 0)
exit
=== spill_fill_ctx
*(u64 *)(r10 - 8) = r1
r2 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r2 + 0)
exit
=== spill_ctx_partial_fill
*(u64 *)(r10 - 8) = r1
r0 = *(u32 *)(r10 - 8)
exit
=== spill_ctx_u32
*(u32 *)(r10 - 8) = r1
r0 = 0
exit
=== spill_overwrite_then_deref
*(u64 *)(r10 - 8) = r1
*(u8 *)(r10 - 8) = 0
r2 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r2 + 0)
exit
=== fill_scalar_deref
r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = *(u64 *)(r10 - 8)
r0 = *(u32 *)(r2 + 0)
exit
=== spill_const_bounds_ok
r2 = 4
*(u64 *)(r10 - 16) = r2
r3 = *(u64 *)(r10 - 16)
r4 = r10
r4 += -8
r4 += r3
*(u32 *)(r4 + 0) = 1
r0 = 0
exit
=== stack_ptr_var_unbounded
r2 = r10
r3 = *(u32 *)(r1 + 0)
r2 += r3
r0 = *(u8 *)(r2 - 1)
exit
=== stack_ptr_var_bounded_ok
r2 = r10
r3 = *(u32 *)(r1 + 0)
r3 &= 7
r2 += -16
r2 += r3
r0 = *(u8 *)(r2 + 0)
exit
=== stack_ptr_var_oob
r2 = r10
r3 = *(u32 *)(r1 + 0)
r3 &= 15
r2 += -8
r2 += r3
*(u8 *)(r2 + 0) = 1
r0 = 0
exit
=== stack_512_ok
*(u64 *)(r10 - 512) = 0
r0 = *(u64 *)(r10 - 512)
exit
=== stack_via_copy_ok
r2 = r10
r2 += -64
*(u32 *)(r2 + 4) = 7
r0 = *(u32 *)(r2 + 4)
exit
=== stack_via_copy_oob
r2 = r10
r2 += -8
*(u64 *)(r2 + 8) = 7
r0 = 0
exit
=== zero_stack_const_read
*(u32 *)(r10 - 4) = 0
r0 = *(u32 *)(r10 - 4)
r1 = r10
r1 += r0
r0 = *(u64 *)(r1 - 8)
exit
=== atomic_stack_ok
*(u64 *)(r10 - 8) = 0
r1 = 1
lock *(u64 *)(r10 - 8) += r1
r0 = *(u64 *)(r10 - 8)
exit
=== atomic_fetch_ok
*(u64 *)(r10 - 8) = 0
r1 = 1
r1 = atomic_fetch_add((u64 *)(r10 - 8), r1)
r0 = r1
exit
=== atomic_ctx
r2 = 1
lock *(u32 *)(r1 + 0) += r2
r0 = 0
exit
=== st_ctx
*(u32 *)(r1 + 48) = 1
r0 = 0
exit
=== scalar_deref
r1 = 0
r0 = *(u64 *)(r1 + 0)
exit
