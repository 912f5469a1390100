// Log-sum-exp over components with normalisation into responsibilities (the E-step's last step).
import {
  expF64, expF64x2, logF64, logF64x2, productExponent, productFactorsOk, productLog, productMantissa, productStart,
} from '../simd/math';

/**
 * Per sample i (logp is k×n component-major, logp[c*n+i]): lse_i = log Σ_c exp(logp[c*n+i]); replaces logp by the
 * responsibilities exp(logp − lse_i), times sw[i] when swPtr ≠ 0; writes lse_i to lse[i] when lsePtr ≠ 0;
 * returns Σ_i sw_i·lse_i. A sample whose log-probabilities are all −∞ gets lse = −∞ and responsibilities 0.
 * A sample with sw_i = 0 adds nothing to the sum (0·(−∞) counts as 0).
 */
export function logSumExpNormalize(logpPtr: usize, n: i32, k: i32, swPtr: usize, lsePtr: usize): f64 {
  // Per pair of samples: m = max_c logp; e_c = exp(logp_c − m), stored in place, s = Σ_c e_c; lse = m + log s;
  // then r_c = e_c·(sw/s). Shifting by m keeps s ∈ [1, k]; dividing by s instead of recomputing exp(logp − lse)
  // halves the exps and does not inherit lse's absolute rounding error. All −∞: shift by 0 so s = 0, lse = −∞.
  // Without weights and without lse out, only Σ_i lse_i is wanted: Σ m_i + ln Π s_i, the product kept as a
  // running mantissa and exponent (assembly/simd/math.ts), so a pair costs no logarithm.
  const stride = <usize>n << 3;
  const zero = f64x2.splat(0.0);
  const negInf = f64x2.splat(-Infinity);
  const perSample = swPtr != 0 || lsePtr != 0;
  let total = zero;
  let shifts = zero;
  let pm = productStart();
  let pe = i64x2.splat(0);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const p0 = logpPtr + (<usize>i << 3);
    let m = negInf;
    let p = p0;
    for (let c = 0; c < k; c++) {
      m = f64x2.pmax(m, v128.load(p));
      p += stride;
    }
    const shift = v128.bitselect(zero, m, f64x2.eq(m, negInf));
    let s = zero;
    p = p0;
    for (let c = 0; c < k; c++) {
      const e = expF64x2(f64x2.sub(v128.load(p), shift));
      v128.store(p, e);
      s = f64x2.add(s, e);
      p += stride;
    }
    const w = swPtr ? v128.load(swPtr + (<usize>i << 3)) : f64x2.splat(1.0);
    const scale = v128.and(f64x2.div(w, s), f64x2.gt(s, zero));
    p = p0;
    for (let c = 0; c < k; c++) {
      v128.store(p, f64x2.mul(v128.load(p), scale));
      p += stride;
    }
    if (!perSample && productFactorsOk(s)) {
      shifts = f64x2.add(shifts, shift);
      pm = f64x2.mul(pm, s);
      pe = i64x2.add(pe, productExponent(pm));
      pm = productMantissa(pm);
      continue;
    }
    const lse = f64x2.add(shift, logF64x2(s));
    if (lsePtr) v128.store(lsePtr + (<usize>i << 3), lse);
    total = f64x2.add(total, v128.andnot(f64x2.mul(w, lse), f64x2.eq(w, zero)));
  }
  total = f64x2.add(total, shifts);
  let sum = f64x2.extract_lane(total, 0) + f64x2.extract_lane(total, 1) + productLog(pm, pe);
  if (n & 1) {
    const p0 = logpPtr + (<usize>n2 << 3);
    let m = -Infinity;
    let p = p0;
    for (let c = 0; c < k; c++) {
      const v = load<f64>(p);
      m = m < v ? v : m;
      p += stride;
    }
    const shift = m == -Infinity ? 0.0 : m;
    let s = 0.0;
    p = p0;
    for (let c = 0; c < k; c++) {
      const e = expF64(load<f64>(p) - shift);
      store<f64>(p, e);
      s += e;
      p += stride;
    }
    const lse = shift + logF64(s);
    const w = swPtr ? load<f64>(swPtr + (<usize>n2 << 3)) : 1.0;
    const scale = s > 0.0 ? w / s : 0.0;
    p = p0;
    for (let c = 0; c < k; c++) {
      store<f64>(p, load<f64>(p) * scale);
      p += stride;
    }
    if (lsePtr) store<f64>(lsePtr + (<usize>n2 << 3), lse);
    if (w != 0.0) sum += w * lse;
  }
  return sum;
}
