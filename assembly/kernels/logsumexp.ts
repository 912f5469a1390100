// Log-sum-exp over components with normalisation into responsibilities (the E-step's last step).
import {
  expNegF64, expNegF64x2, logF64, logF64x2, productExponent, productFactorsOk, productLog, productMantissa, productStart,
} from '../simd/math';

/**
 * Per sample i (logp is k×n component-major, logp[c*n+i]): lse_i = log Σ_c exp(logp[c*n+i]); replaces logp by the
 * responsibilities exp(logp − lse_i), times sw[i] when swPtr ≠ 0; writes lse_i to lse[i] when lsePtr ≠ 0;
 * returns Σ_i sw_i·lse_i. A sample whose log-probabilities are all −∞ gets lse = −∞ and responsibilities 0.
 * A sample with sw_i = 0 adds nothing to the sum (0·(−∞) counts as 0).
 */
export function logSumExpNormalize(logpPtr: usize, n: i32, k: i32, swPtr: usize, lsePtr: usize): f64 {
  switch (k) {
    case 1: return lse1(logpPtr, n, swPtr, lsePtr);
    case 2: return lse2(logpPtr, n, swPtr, lsePtr);
    case 3: return lse3(logpPtr, n, swPtr, lsePtr);
    case 4: return lse4(logpPtr, n, swPtr, lsePtr);
    case 5: return lse5(logpPtr, n, swPtr, lsePtr);
    case 6: return lse6(logpPtr, n, swPtr, lsePtr);
  }
  return lseAny(logpPtr, n, k, swPtr, lsePtr);
}

// One function per k ≤ 6, so each compiles on its own with its sample pair's k log-probabilities held in registers
// (one load and one store per value; the loop over components reads each value three times). Same operations in
// the same order as the loop, so every k gives the same bits either way. bench/kernel-ab.mjs against the loop alone
// (n = 4104): time × 0.79 (k = 2), 0.88 (3), 0.82 (4), 0.84 (5), 0.92 (6), 1.01 (7), 1.07–1.27 (8: V8 spills the
// registers), so k ≥ 7 takes the loop. The two straight-line pivot paths (lseBody) then took k = 5 and 6 a further
// × 0.92 and × 0.84; with them, k = 7 in registers measured × 0.95 and k = 8 × 1.08 against the loop: still the loop.
function lse1(p: usize, n: i32, sw: usize, lse: usize): f64 { return lseBody(1, p, n, 1, sw, lse); }
function lse2(p: usize, n: i32, sw: usize, lse: usize): f64 { return lseBody(2, p, n, 2, sw, lse); }
function lse3(p: usize, n: i32, sw: usize, lse: usize): f64 { return lseBody(3, p, n, 3, sw, lse); }
function lse4(p: usize, n: i32, sw: usize, lse: usize): f64 { return lseBody(4, p, n, 4, sw, lse); }
function lse5(p: usize, n: i32, sw: usize, lse: usize): f64 { return lseBody(5, p, n, 5, sw, lse); }
function lse6(p: usize, n: i32, sw: usize, lse: usize): f64 { return lseBody(6, p, n, 6, sw, lse); }
function lseAny(p: usize, n: i32, k: i32, sw: usize, lse: usize): f64 { return lseBody(0, p, n, k, sw, lse); }

// The pivot's limit on max_c logp − logp_0 (see lseBody): keeps s and every exp argument within expNeg's range.
const PIVOT_SPAN: f64 = 660.0;

/** The pair of values of component c (c < K) at p, or −∞ for a component the specialisation does not have. */
// @ts-ignore: decorator
@inline function loadIf(K: i32, c: i32, p: usize, stride: usize): v128 {
  return K > c ? v128.load(p + <usize>c * stride) : f64x2.splat(-Infinity);
}

/** expNeg of a pair (c < K), or 0. */
// @ts-ignore: decorator
@inline function expIf(K: i32, c: i32, l: v128, shift: v128): v128 {
  return K > c ? expNegF64x2(f64x2.sub(l, shift)) : f64x2.splat(0);
}

/** Stores e·scale for component c < K. */
// @ts-ignore: decorator
@inline function storeIf(K: i32, c: i32, p: usize, stride: usize, e: v128, scale: v128): void {
  if (K > c) v128.store(p + <usize>c * stride, f64x2.mul(e, scale));
}

/** s = Σ_c e_c (from c = 0) of a pair's K exps, and r_c = e_c·(w/s) stored (0 where s = 0); returns s. */
// @ts-ignore: decorator
@inline function normalizeRegs(K: i32, p0: usize, stride: usize, w: v128, e0: v128, e1: v128, e2: v128, e3: v128, e4: v128, e5: v128): v128 {
  let s = e0;
  if (K > 1) s = f64x2.add(s, e1);
  if (K > 2) s = f64x2.add(s, e2);
  if (K > 3) s = f64x2.add(s, e3);
  if (K > 4) s = f64x2.add(s, e4);
  if (K > 5) s = f64x2.add(s, e5);
  const scale = v128.and(f64x2.div(w, s), f64x2.gt(s, f64x2.splat(0)));
  storeIf(K, 0, p0, stride, e0, scale); storeIf(K, 1, p0, stride, e1, scale);
  storeIf(K, 2, p0, stride, e2, scale); storeIf(K, 3, p0, stride, e3, scale);
  storeIf(K, 4, p0, stride, e4, scale); storeIf(K, 5, p0, stride, e5, scale);
  return s;
}

/** logSumExpNormalize for K components held in registers (1 ≤ K ≤ 6), or for any k through memory (K = 0). */
// @ts-ignore: decorator
@inline function lseBody(K: i32, logpPtr: usize, n: i32, k: i32, swPtr: usize, lsePtr: usize): f64 {
  // Per pair of samples: m = max_c logp; e_c = exp(logp_c − m), s = Σ_c e_c (from c = 0); lse = m + log s;
  // then r_c = e_c·(sw/s). Shifting by m keeps s ∈ [1, k] and every exp argument ≤ 0 (expNeg); dividing by s
  // instead of recomputing exp(logp − lse) halves the exps and does not inherit lse's absolute rounding error.
  // All −∞: shift by 0 so s = 0, lse = −∞.
  // When no lse_i is written and both lanes have m − logp_0 < PIVOT_SPAN, the shift is logp_0 instead (the pivot):
  // e_0 = 1 exactly needs no exp (k − 1 exps instead of k: log-sum-exp × 0.79–0.86 at k = 3…6, bench/kernel-ab.mjs),
  // s ∈ [1, k·e^660] and every exp argument ≤ 660, which expNeg still takes. The responsibilities stay within a
  // few ULP; ln s would carry an absolute error up to ulp(660) ≈ 1e-13, which is why a written lse_i never pivots,
  // while the unweighted total sums ln s through the running product (its error does not grow with s).
  // Without weights and without lse out, only Σ_i lse_i is wanted: Σ m_i + ln Π s_i, the product kept as a
  // running mantissa and exponent (assembly/simd/math.ts), so a pair costs no logarithm.
  const stride = <usize>n << 3;
  const zero = f64x2.splat(0);
  const negInf = f64x2.splat(-Infinity);
  const perSample = swPtr != 0 || lsePtr != 0;
  let total = zero;
  let shifts = zero;
  let pm = productStart();
  let pe = i64x2.splat(0);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const p0 = logpPtr + (<usize>i << 3);
    let s = zero;
    let scale = zero;
    let shift = zero;
    const w = swPtr ? v128.load(swPtr + (<usize>i << 3)) : f64x2.splat(1.0);
    const l0 = v128.load(p0);
    const l1 = loadIf(K, 1, p0, stride), l2 = loadIf(K, 2, p0, stride), l3 = loadIf(K, 3, p0, stride);
    const l4 = loadIf(K, 4, p0, stride), l5 = loadIf(K, 5, p0, stride);
    let m = f64x2.pmax(negInf, l0);
    if (K > 0) {
      if (K > 1) m = f64x2.pmax(m, l1);
      if (K > 2) m = f64x2.pmax(m, l2);
      if (K > 3) m = f64x2.pmax(m, l3);
      if (K > 4) m = f64x2.pmax(m, l4);
      if (K > 5) m = f64x2.pmax(m, l5);
    } else {
      let p = p0 + stride;
      for (let c = 1; c < k; c++) {
        m = f64x2.pmax(m, v128.load(p));
        p += stride;
      }
    }
    const pivot = lsePtr == 0 && i64x2.all_true(f64x2.lt(f64x2.sub(m, l0), f64x2.splat(PIVOT_SPAN)));
    if (K > 0) {
      // Two straight-line paths rather than selects on `pivot` inside one: with the selects, V8 hoisted the first
      // exp's loads above the branch and spilled them across it.
      if (pivot) {
        shift = l0;
        s = normalizeRegs(K, p0, stride, w, f64x2.splat(1.0), expIf(K, 1, l1, l0), expIf(K, 2, l2, l0), expIf(K, 3, l3, l0), expIf(K, 4, l4, l0), expIf(K, 5, l5, l0));
      } else {
        shift = v128.bitselect(zero, m, f64x2.eq(m, negInf));
        s = normalizeRegs(K, p0, stride, w, expIf(K, 0, l0, shift), expIf(K, 1, l1, shift), expIf(K, 2, l2, shift), expIf(K, 3, l3, shift), expIf(K, 4, l4, shift), expIf(K, 5, l5, shift));
      }
    } else {
      shift = pivot ? l0 : v128.bitselect(zero, m, f64x2.eq(m, negInf));
      // s starts at 0 and adds every e_c: 0 + e = e exactly (exp never returns −0), so this is the sum from c = 0.
      let p = p0;
      let c = 0;
      if (pivot) {
        s = f64x2.splat(1.0);
        v128.store(p, s);
        p += stride;
        c = 1;
      }
      for (; c < k; c++) {
        const e = expNegF64x2(f64x2.sub(v128.load(p), shift));
        v128.store(p, e);
        s = f64x2.add(s, e);
        p += stride;
      }
      scale = v128.and(f64x2.div(w, s), f64x2.gt(s, zero));
      p = p0;
      for (let c = 0; c < k; c++) {
        v128.store(p, f64x2.mul(v128.load(p), scale));
        p += stride;
      }
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
  if (n & 1) sum += lseLast(logpPtr, n, k, swPtr, lsePtr);
  return sum;
}

/** The scalar twin of lseBody's pair for the last sample of an odd n; returns its term of the sum. */
function lseLast(logpPtr: usize, n: i32, k: i32, swPtr: usize, lsePtr: usize): f64 {
  const stride = <usize>n << 3;
  const i = <usize>(n - 1) << 3;
  const p0 = logpPtr + i;
  let m = -Infinity;
  let p = p0;
  for (let c = 0; c < k; c++) {
    const v = load<f64>(p);
    m = m < v ? v : m;
    p += stride;
  }
  const l0 = load<f64>(p0);
  const pivot = lsePtr == 0 && m - l0 < PIVOT_SPAN;
  const shift = pivot ? l0 : m == -Infinity ? 0.0 : m;
  let s = 0.0;
  p = p0;
  for (let c = 0; c < k; c++) {
    const e = pivot && c == 0 ? 1.0 : expNegF64(load<f64>(p) - shift);
    store<f64>(p, e);
    s = c == 0 ? e : s + e;
    p += stride;
  }
  const lse = shift + logF64(s);
  const w = swPtr ? load<f64>(swPtr + i) : 1.0;
  const scale = s > 0.0 ? w / s : 0.0;
  p = p0;
  for (let c = 0; c < k; c++) {
    store<f64>(p, load<f64>(p) * scale);
    p += stride;
  }
  if (lsePtr) store<f64>(lsePtr + i, lse);
  return w != 0.0 ? w * lse : 0.0;
}
