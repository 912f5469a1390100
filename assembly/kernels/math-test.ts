// Test hooks: apply the vectorised exp/log (assembly/simd/math.ts) to whole arrays, scalar twin on the odd tail.
import { expF64, expF64x2, expNegF64, expNegF64x2, logF64, logF64x2 } from '../simd/math';

const EXP = 0, EXP_NEG = 1, LOG = 2;

/** out[i] = f(x[i]) for the function `fn` names: its f64x2 form on pairs, its scalar twin on the last of an odd n. */
// @ts-ignore: decorator
@inline function applyHook(fn: i32, xPtr: usize, n: i32, outPtr: usize): void {
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const o = <usize>i << 3;
    const x = v128.load(xPtr + o);
    v128.store(outPtr + o, fn == EXP ? expF64x2(x) : fn == EXP_NEG ? expNegF64x2(x) : logF64x2(x));
  }
  if (n & 1) {
    const o = <usize>n2 << 3;
    const x = load<f64>(xPtr + o);
    store<f64>(outPtr + o, fn == EXP ? expF64(x) : fn == EXP_NEG ? expNegF64(x) : logF64(x));
  }
}

/** out[i] = exp(x[i]) through expF64x2 (pairs) and expF64 (last element when n is odd). */
export function vexp(xPtr: usize, n: i32, outPtr: usize): void {
  applyHook(EXP, xPtr, n, outPtr);
}

/** out[i] = exp(x[i]) for x[i] ≤ 660 through expNegF64x2 (pairs) and expNegF64 (last element when n is odd). */
export function vexpneg(xPtr: usize, n: i32, outPtr: usize): void {
  applyHook(EXP_NEG, xPtr, n, outPtr);
}

/** out[i] = log(x[i]) through logF64x2 (pairs) and logF64 (last element when n is odd). */
export function vlog(xPtr: usize, n: i32, outPtr: usize): void {
  applyHook(LOG, xPtr, n, outPtr);
}
