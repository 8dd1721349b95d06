# Programs separated by "=== name"; "; type:", "; map: TYPE:KEYSZ:VALSZ:MAXENT[:FLAGS]", "; license:" set the load.
=== mov_exit
r0 = 0
exit
=== exit_no_r0
exit
=== read_uninit_r3
r0 = r3
exit
=== add_uninit_src
r0 = 1
r0 += r7
exit
=== write_r10
r10 = 1
r0 = 0
exit
=== r10_add
r10 += 8
r0 = 0
exit
=== div_imm_zero
r0 = 5
r0 /= 0
exit
=== mod32_imm_zero
w0 = 5
w0 %= 0
exit
=== div_reg_zero_ok
r0 = 5
r1 = 0
r0 /= r1
exit
=== shift_64
r0 = 1
r0 <<= 64
exit
=== shift32_32
w0 = 1
w0 >>= 32
exit
=== shift_neg
r0 = 1
r0 s>>= -1
exit
=== shift_reg_big_ok
r0 = 1
r1 = 70
r0 <<= r1
exit
=== neg_ok
r0 = 5
r0 = -r0
exit
=== bswap_ok
r0 = 0x1234
r0 = bswap64 r0
exit
=== le16_ok
r0 = 0x12345
r0 = le16 r0
exit
=== movsx_ok
r1 = 200
r0 = (s8)r1
exit
=== alu32_ok
w0 = -1
w0 += 2
exit
=== lddw_ok
r0 = 0x123456789abcdef0 ll
exit
=== mul_ok
r0 = 7
r0 *= 6
exit
=== sdiv_ok
r0 = -8
r0 s/= 3
exit
=== smod_ok
r0 = -8
r0 s%= 3
exit
=== ptr_mul
r1 *= 2
r0 = 0
exit
=== ptr_or
r1 |= 1
r0 = 0
exit
=== ptr_and
r1 &= 1
r0 = 0
exit
=== ptr_lsh
r1 <<= 1
r0 = 0
exit
=== ptr_32bit_add
w1 += 4
r0 = 0
exit
=== ptr_32bit_sub_ok
w1 -= 4
r0 = 0
exit
=== ptr_plus_ptr
r2 = r10
r2 += r1
r0 = 0
exit
=== ptr_minus_ptr_ok
r2 = r10
r2 -= r1
r0 = 0
exit
=== scalar_minus_ptr
r2 = 5
r2 -= r1
r0 = 0
exit
=== scalar_plus_ptr_ok
r2 = 8
r2 += r10
r2 += -16
*(u64 *)(r2 + 0) = 1
r0 = 0
exit
=== fp_sub_imm
r2 = r10
r2 -= 8
r0 = 0
exit
=== neg_pointer_ok
r1 = -r1
r0 = 0
exit
=== mov32_pointer_ok
w0 = w1
exit
=== ptr_add_unbounded
r2 = *(u32 *)(r1 + 0)
r2 <<= 32
r2 s>>= 32
r3 = r10
r3 += r2
r0 = 0
exit
=== ptr_add_huge_const
r2 = r10
r2 += 0x20000000
r0 = 0
exit
=== ctx_ptr_sub
r1 -= 8
r0 = *(u32 *)(r1 + 0)
exit
=== ctx_ptr_add
r1 += 4
r0 = *(u32 *)(r1 + 0)
exit
=== ctx_ptr_add_back_ok
r1 += 4
r1 += -4
r0 = *(u32 *)(r1 + 0)
exit
=== reserved_mov
r0 = 0
r0 = 0
exit
