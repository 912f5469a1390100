// Test hooks: apply the vectorised exp/log (assembly/simd/math.ts) to whole arrays, scalar twin on the odd tail.
import { expF64, expF64x2, expNegF64, expNegF64x2, logF64, logF64x2 } from '../simd/math';

/** out[i] = exp(x[i]) through expF64x2 (pairs) and expF64 (last element when n is odd). */
export function vexp(xPtr: usize, n: i32, outPtr: usize): void {
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const o = <usize>i << 3;
    v128.store(outPtr + o, expF64x2(v128.load(xPtr + o)));
  }
  if (n & 1) {
    const o = <usize>n2 << 3;
    store<f64>(outPtr + o, expF64(load<f64>(xPtr + o)));
  }
}

/** out[i] = exp(x[i]) for x[i] ≤ 0 through expNegF64x2 (pairs) and expNegF64 (last element when n is odd). */
export function vexpneg(xPtr: usize, n: i32, outPtr: usize): void {
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const o = <usize>i << 3;
    v128.store(outPtr + o, expNegF64x2(v128.load(xPtr + o)));
  }
  if (n & 1) {
    const o = <usize>n2 << 3;
    store<f64>(outPtr + o, expNegF64(load<f64>(xPtr + o)));
  }
}

/** out[i] = log(x[i]) through logF64x2 (pairs) and logF64 (last element when n is odd). */
export function vlog(xPtr: usize, n: i32, outPtr: usize): void {
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const o = <usize>i << 3;
    v128.store(outPtr + o, logF64x2(v128.load(xPtr + o)));
  }
  if (n & 1) {
    const o = <usize>n2 << 3;
    store<f64>(outPtr + o, logF64(load<f64>(xPtr + o)));
  }
}
