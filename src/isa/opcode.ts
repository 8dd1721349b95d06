// eBPF opcode fields (RFC 9669 §3). An opcode byte is one of two layouts:
//
//   arithmetic and jump:   +--------+----+-------+      load and store:  +------+------+-------+
//                          | op (4) | s  | class |                       | mode | size | class |
//                          +--------+----+-------+                       +------+------+-------+
//                            7..4    3    2..0                             7..5   4..3   2..0
//
// Values are the kernel's BPF_* numbers, kept as plain numbers so the interpreter and
// the JIT can switch on them without conversion.

/** Instruction class (low 3 bits). */
export const Class = {
  /** legacy packet loads and the 64-bit immediate load */
  LD: 0x00,
  LDX: 0x01,
  ST: 0x02,
  STX: 0x03,
  /** 32-bit arithmetic */
  ALU: 0x04,
  JMP: 0x05,
  /** jumps comparing the low 32 bits */
  JMP32: 0x06,
  ALU64: 0x07,
} as const;

/** Operand source bit (bit 3) of ALU and JMP opcodes. */
export const Source = {
  /** use the 32-bit immediate */
  K: 0x00,
  /** use the source register */
  X: 0x08,
} as const;

/** ALU operation (high 4 bits). */
export const AluOp = {
  ADD: 0x00,
  SUB: 0x10,
  MUL: 0x20,
  /** unsigned divide; signed (sdiv) when off = 1 */
  DIV: 0x30,
  OR: 0x40,
  AND: 0x50,
  LSH: 0x60,
  RSH: 0x70,
  NEG: 0x80,
  /** unsigned modulo; signed (smod) when off = 1 */
  MOD: 0x90,
  XOR: 0xa0,
  /** move; sign-extending (movsx) when off = 8, 16 or 32 */
  MOV: 0xb0,
  ARSH: 0xc0,
  /** byte swap: le/be in ALU (source bit picks BE), unconditional bswap in ALU64 */
  END: 0xd0,
} as const;

/** Byte-order flag of END (bit 3 of the opcode). */
export const EndSource = { TO_LE: 0x00, TO_BE: 0x08 } as const;

/** Jump operation (high 4 bits). */
export const JmpOp = {
  JA: 0x00,
  JEQ: 0x10,
  JGT: 0x20,
  JGE: 0x30,
  JSET: 0x40,
  JNE: 0x50,
  JSGT: 0x60,
  JSGE: 0x70,
  CALL: 0x80,
  EXIT: 0x90,
  JLT: 0xa0,
  JLE: 0xb0,
  JSLT: 0xc0,
  JSLE: 0xd0,
} as const;

/** Access size (bits 4..3) of load/store opcodes. */
export const Size = { W: 0x00, H: 0x08, B: 0x10, DW: 0x18 } as const;

/** Addressing mode (bits 7..5) of load/store opcodes. */
export const Mode = {
  IMM: 0x00,
  /** legacy packet access, absolute offset */
  ABS: 0x20,
  /** legacy packet access, register-relative offset */
  IND: 0x40,
  MEM: 0x60,
  /** sign-extending load (LDX only) */
  MEMSX: 0x80,
  ATOMIC: 0xc0,
} as const;

/** Atomic operation in the imm field of STX | ATOMIC. */
export const AtomicOp = {
  ADD: 0x00,
  OR: 0x40,
  AND: 0x50,
  XOR: 0xa0,
  /** modifier: return the old value in src (or r0 for cmpxchg) */
  FETCH: 0x01,
  /** always with FETCH */
  XCHG: 0xe0 | 0x01,
  /** always with FETCH; compares with r0 */
  CMPXCHG: 0xf0 | 0x01,
  /** dst = smp_load_acquire(src + off) */
  LOAD_ACQ: 0x100,
  /** smp_store_release(dst + off, src) */
  STORE_REL: 0x110,
} as const;

/** src_reg values of LD | IMM | DW (the kernel's BPF_PSEUDO_*). */
export const PseudoLd = {
  /** plain 64-bit constant */
  NONE: 0,
  /** imm = map fd */
  MAP_FD: 1,
  /** imm = map fd, next imm = offset into the map value */
  MAP_VALUE: 2,
  /** imm = BTF id of a kernel variable */
  BTF_ID: 3,
  /** imm = relative offset of a subprogram (callback pointer) */
  FUNC: 4,
  /** imm = index into the program's map array */
  MAP_IDX: 5,
  /** imm = map index, next imm = offset into the map value */
  MAP_IDX_VALUE: 6,
} as const;

/** Whether an instruction is an ld_imm64 naming a map (by fd or index; the map or a value in it): imm says which. */
export const isMapReference = (ins: { readonly code: number; readonly src: number }): boolean =>
  ins.code === LD_IMM64 && (ins.src === PseudoLd.MAP_FD || ins.src === PseudoLd.MAP_VALUE || ins.src === PseudoLd.MAP_IDX || ins.src === PseudoLd.MAP_IDX_VALUE);

/** src_reg values of JMP | CALL (the kernel's BPF_PSEUDO_CALL / BPF_PSEUDO_KFUNC_CALL). */
export const PseudoCall = {
  HELPER: 0,
  /** bpf-to-bpf call: imm is the pc-relative target */
  CALL: 1,
  /** imm is the BTF id of a kernel function */
  KFUNC: 2,
} as const;

export const CLASS_MASK = 0x07;
export const SOURCE_MASK = 0x08;
export const OP_MASK = 0xf0;
export const SIZE_MASK = 0x18;
export const MODE_MASK = 0xe0;

export const opClass = (code: number): number => code & CLASS_MASK;
export const opSource = (code: number): number => code & SOURCE_MASK;
export const opAlu = (code: number): number => code & OP_MASK;
export const opJmp = (code: number): number => code & OP_MASK;
export const opSize = (code: number): number => code & SIZE_MASK;
export const opMode = (code: number): number => code & MODE_MASK;

/** Width in bytes of a load/store size field. */
export function sizeBytes(size: number): 1 | 2 | 4 | 8 {
  switch (size) {
    case Size.B:
      return 1;
    case Size.H:
      return 2;
    case Size.W:
      return 4;
    default:
      return 8;
  }
}

export const isAluClass = (cls: number): boolean => cls === Class.ALU || cls === Class.ALU64;
export const isJmpClass = (cls: number): boolean => cls === Class.JMP || cls === Class.JMP32;
export const isMemClass = (cls: number): boolean => cls === Class.LDX || cls === Class.ST || cls === Class.STX;

/** The LD | IMM | DW opcode (0x18), the only two-slot instruction. */
export const LD_IMM64 = Class.LD | Mode.IMM | Size.DW;
/** The call instruction's opcode byte (helpers, bpf-to-bpf calls and kfuncs differ in src_reg). */
export const CALL = Class.JMP | JmpOp.CALL;
