// A non-GC allocator for runtime storage (map tables, elements, trampolines' data).
// Segregated free lists by power-of-two size class: O(1) alloc and free, no
// collection ever runs, freed blocks are reused by the same class. Memory is zeroed
// on allocation, as the kernel's map storage is.
//
// Block layout: [class: u32][pad: u32][payload ...]; the returned pointer is the payload
// (8-byte aligned). Large blocks cost up to 2x their size; the maps that need dense
// storage allocate one large block and carve it themselves.

const HEADER: u32 = 8;
const MIN_CLASS: u32 = 4; // 16-byte blocks
const MAX_CLASS: u32 = 31;
const PAGE: u32 = 0x10000;

// free-list heads, one per class
const heads = memory.data(4 * (MAX_CLASS + 1));
let top: u32 = 0;
let allocated: u32 = 0;

function classOf(total: u32): u32 {
  const c: u32 = 32 - <u32>clz<u32>(total - 1);
  return c < MIN_CLASS ? MIN_CLASS : c;
}

function ensureMemory(end: u32): bool {
  const have = <u32>memory.size() * PAGE;
  if (end <= have) return true;
  const pages = (end - have + PAGE - 1) / PAGE;
  return memory.grow(<i32>pages) >= 0;
}

/** Allocate `size` zeroed bytes; returns 0 when memory cannot grow (the caller maps it to -ENOMEM). */
export function wabpf_alloc(size: u32): u32 {
  if (top == 0) top = (<u32>__heap_base + 7) & ~7;
  if (size > 0x7ffffff0) return 0;
  const cls = classOf(size + HEADER);
  if (cls > MAX_CLASS) return 0;
  const slot = heads + (cls << 2);
  let block = load<u32>(slot);
  if (block != 0) {
    store<u32>(slot, load<u32>(block + HEADER));
    memory.fill(block + HEADER, 0, (<u32>1 << cls) - HEADER);
  } else {
    const bytes = <u32>1 << cls;
    // past 4 GiB the sum wraps: that is out of memory, not a small request
    if (bytes > 0xffffffff - top || !ensureMemory(top + bytes)) return 0;
    block = top;
    top += bytes;
    store<u32>(block, cls);
    // memory above `top` was never handed out, and memory.grow gives zeroed pages
  }
  allocated += <u32>1 << cls;
  return block + HEADER;
}

/** Return a block from {@link wabpf_alloc} to its free list. Freeing 0 does nothing. */
export function wabpf_free(ptr: u32): void {
  if (ptr == 0) return;
  const block = ptr - HEADER;
  const cls = load<u32>(block);
  const slot = heads + (cls << 2);
  store<u32>(ptr, load<u32>(slot));
  store<u32>(slot, block);
  allocated -= <u32>1 << cls;
}

/** Usable bytes of an allocated block (its class size less the header). */
export function wabpf_block_size(ptr: u32): u32 {
  return (<u32>1 << load<u32>(ptr - HEADER)) - HEADER;
}

/** Bytes currently handed out, counting whole size-class blocks. */
export function wabpf_allocated_bytes(): u32 {
  return allocated;
}

/** One past the highest byte the allocator has used. */
export function wabpf_heap_top(): u32 {
  return top == 0 ? (<u32>__heap_base + 7) & ~7 : top;
}
