import type { KernelExports } from './generated/exports.js';

const PAGE = 65536;

/**
 * A bump arena over one instance's memory. Pointers are byte offsets, 16-byte aligned for v128 loads.
 * Views are made on demand from the current `memory.buffer`: growth detaches old views, so never keep one
 * across `alloc`.
 */
export class Workspace {
  readonly k: KernelExports;
  private readonly base: number;
  private top: number;

  constructor(k: KernelExports) {
    this.k = k;
    this.base = align(k.heapBase());
    this.top = this.base;
  }

  /** Bytes of wasm memory currently reserved by the instance (for leak tests). */
  get memoryBytes(): number {
    return this.k.memory.buffer.byteLength;
  }

  /** Reserves `count` f64 slots (or `count` 8-byte slots); returns the byte pointer. Contents are not cleared. */
  alloc(count: number): number {
    const ptr = this.top;
    const end = align(ptr + count * 8);
    const have = this.k.memory.buffer.byteLength;
    if (end > have) this.k.memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    return ptr;
  }

  /** Reserves `count` zeroed f64 slots. */
  zeros(count: number): number {
    const ptr = this.alloc(count);
    this.f64(ptr, count).fill(0);
    return ptr;
  }

  /** Copies `src` into fresh slots; returns the pointer. */
  put(src: ArrayLike<number>): number {
    const ptr = this.alloc(src.length);
    this.f64(ptr, src.length).set(src);
    return ptr;
  }

  /** A Float64Array view of `len` values at `ptr` (valid until the next `alloc`). */
  f64(ptr: number, len: number): Float64Array {
    return new Float64Array(this.k.memory.buffer, ptr, len);
  }

  /** An Int32Array view of `len` values at `ptr` (valid until the next `alloc`). */
  i32(ptr: number, len: number): Int32Array {
    return new Int32Array(this.k.memory.buffer, ptr, len);
  }

  /** Current arena top: pass to `release` to free everything allocated after it. */
  mark(): number {
    return this.top;
  }

  release(mark: number): void {
    this.top = mark;
  }

  reset(): void {
    this.top = this.base;
  }

  /** Runs `fn` and frees whatever it allocated. */
  scope<T>(fn: (ws: Workspace) => T): T {
    const m = this.top;
    try {
      return fn(this);
    } finally {
      this.top = m;
    }
  }
}

function align(p: number): number {
  return (p + 15) & ~15;
}
