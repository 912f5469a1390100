// Vectorised exp and log over f64x2 (AssemblyScript has neither), with scalar twins that run the same operations
// in the same order, so a kernel's vector body and scalar tail agree bit for bit. Both follow fdlibm (Sun, 1993):
// e_exp.c for exp, musl's branch-free form of e_log.c for log.

const LOG2E: f64 = 1.4426950408889634;
const LN2_HI: f64 = 6.93147180369123816490e-1; // 0x3fe62e42fee00000: 32 significant bits, so k·LN2_HI is exact
const LN2_LO: f64 = 1.90821492927058770002e-10; // ln 2 − LN2_HI
const SHIFTER: f64 = 6755399441055744.0; // 1.5·2^52: t + SHIFTER rounds t to an integer held in the low mantissa bits
const SHIFTER_BITS: i64 = 0x4338000000000000;
// exp is +Inf above 709.782712893384 and 0 below −745.1332191019412; clamping just outside keeps k in [−1076, 1024].
const EXP_CLAMP_LO: f64 = -746.0;
const EXP_CLAMP_HI: f64 = 710.0;
// Remez coefficients of (r·(e^r + 1)/(e^r − 1) − 2)/r² ≈ P1·r² + … on |r| ≤ ln2/2 (fdlibm e_exp.c).
const P1: f64 = 1.66666666666666019037e-1;
const P2: f64 = -2.77777777770155933842e-3;
const P3: f64 = 6.61375632143793436117e-5;
const P4: f64 = -1.65339022054652515390e-6;
const P5: f64 = 4.13813679705723846039e-8;

// Remez coefficients of R(z) = LG1·z + … + LG7·z⁷, z = s², s = f/(2+f), |s| ≤ 0.1716, so that
// ln(1 + f) = f − f²/2 + s·(f²/2 + R) (fdlibm e_log.c).
const LG1: f64 = 6.666666666666735130e-1;
const LG2: f64 = 3.999999999940941908e-1;
const LG3: f64 = 2.857142874366239149e-1;
const LG4: f64 = 2.222219843214978396e-1;
const LG5: f64 = 1.818357216161805012e-1;
const LG6: f64 = 1.531383769920937332e-1;
const LG7: f64 = 1.479819860511658591e-1;
const MIN_NORMAL: f64 = 2.2250738585072014e-308;
const TWO54: f64 = 18014398509481984.0;
// Adding (0x3ff00000 − 0x3fe6a09e) to the high word moves mantissas in [√2/2, √2) to exponent 0x3ff.
const LOG_BIAS_SHIFT: i64 = 0x00095f6200000000;
const LOG_MANT_MASK: i64 = 0x000fffffffffffff;
const LOG_MANT_BASE: i64 = 0x3fe6a09e00000000;
const EXP_TO_F64: i64 = 0x4330000000000000; // e | this = 2^52 + e as a double
const EXP_TO_F64_OFFSET: f64 = 4503599627371519.0; // 2^52 + 1023

/**
 * e^x for two lanes. Cody–Waite reduction x = k·ln2 + r (|r| ≤ ln2/2), fdlibm's rational form
 * e^r = 1 − ((lo − r·c/(2 − c)) − hi), then the scale 2^k applied as 2^⌊k/2⌋·2^(k−⌊k/2⌋) built from exponent bits,
 * so subnormal results round once and 2^1024 overflows to +Inf.
 */
// expF64x2: < 1 ULP (fdlibm's bound) for normal results on [−708.39, 709.78]; measured ≤ 1 ULP against
// Math.exp over 2·10^5 values in test/kernels-math.test.ts; subnormal results within 1 ULP of the subnormal spacing;
// x < −745.14 → 0, x > 709.79 → +Inf, exp(−Infinity) = 0, exp(+Infinity) = +Infinity, NaN propagates.
// @ts-ignore: decorator
@inline
export function expF64x2(x: v128): v128 {
  // pmax/pmin with x first keep NaN (the comparison is false), and send ±Infinity to the clamps.
  const xc = f64x2.pmin(f64x2.pmax(x, f64x2.splat(EXP_CLAMP_LO)), f64x2.splat(EXP_CLAMP_HI));
  const t = f64x2.add(f64x2.mul(xc, f64x2.splat(LOG2E)), f64x2.splat(SHIFTER));
  const kf = f64x2.sub(t, f64x2.splat(SHIFTER));
  const ki = i64x2.sub(t, i64x2.splat(SHIFTER_BITS));
  const hi = f64x2.sub(xc, f64x2.mul(kf, f64x2.splat(LN2_HI)));
  const lo = f64x2.mul(kf, f64x2.splat(LN2_LO));
  const r = f64x2.sub(hi, lo);
  const z = f64x2.mul(r, r);
  let p = f64x2.add(f64x2.splat(P4), f64x2.mul(z, f64x2.splat(P5)));
  p = f64x2.add(f64x2.splat(P3), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(P2), f64x2.mul(z, p));
  p = f64x2.add(f64x2.splat(P1), f64x2.mul(z, p));
  const c = f64x2.sub(r, f64x2.mul(z, p));
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(f64x2.splat(2.0), c));
  const y = f64x2.sub(f64x2.splat(1.0), f64x2.sub(f64x2.sub(lo, q), hi));
  const k1 = i64x2.shr_s(ki, 1);
  const k2 = i64x2.sub(ki, k1);
  const s1 = i64x2.shl(i64x2.add(k1, i64x2.splat(1023)), 52);
  const s2 = i64x2.shl(i64x2.add(k2, i64x2.splat(1023)), 52);
  return f64x2.mul(f64x2.mul(y, s1), s2);
}

/** e^x, the scalar twin of expF64x2 (same operations, same results). */
// expF64: same bound as expF64x2.
// @ts-ignore: decorator
@inline
export function expF64(x: f64): f64 {
  let xc = x < EXP_CLAMP_LO ? EXP_CLAMP_LO : x;
  xc = EXP_CLAMP_HI < xc ? EXP_CLAMP_HI : xc;
  const t = xc * LOG2E + SHIFTER;
  const kf = t - SHIFTER;
  const ki = reinterpret<i64>(t) - SHIFTER_BITS;
  const hi = xc - kf * LN2_HI;
  const lo = kf * LN2_LO;
  const r = hi - lo;
  const z = r * r;
  const c = r - z * (P1 + z * (P2 + z * (P3 + z * (P4 + z * P5))));
  const y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
  const k1 = ki >> 1;
  const k2 = ki - k1;
  return y * reinterpret<f64>((k1 + 1023) << 52) * reinterpret<f64>((k2 + 1023) << 52);
}

/**
 * ln x for two lanes. x = 2^k·m with m ∈ [√2/2, √2) taken from the bits (subnormals pre-scaled by 2^54);
 * f = m − 1, s = f/(2 + f), ln(1 + f) = f − hfsq + s·(hfsq + R(s²)), plus k·ln2 in two parts.
 */
// logF64x2: < 1 ULP (fdlibm's bound) on all positive finite x, subnormals included; measured ≤ 1 ULP against
// Math.log in test/kernels-math.test.ts; log(±0) = −Infinity, log(x < 0) = NaN, log(+Infinity) = +Infinity,
// NaN propagates.
// @ts-ignore: decorator
@inline
export function logF64x2(x: v128): v128 {
  const tiny = f64x2.lt(x, f64x2.splat(MIN_NORMAL));
  const xs = f64x2.mul(x, v128.bitselect(f64x2.splat(TWO54), f64x2.splat(1.0), tiny));
  const u = i64x2.add(xs, i64x2.splat(LOG_BIAS_SHIFT));
  const e = i64x2.shr_u(u, 52);
  const m = i64x2.add(v128.and(u, i64x2.splat(LOG_MANT_MASK)), i64x2.splat(LOG_MANT_BASE));
  const dk = f64x2.sub(
    f64x2.sub(v128.or(e, i64x2.splat(EXP_TO_F64)), f64x2.splat(EXP_TO_F64_OFFSET)),
    v128.and(f64x2.splat(54.0), tiny),
  );
  const f = f64x2.sub(m, f64x2.splat(1.0));
  const hfsq = f64x2.mul(f64x2.mul(f64x2.splat(0.5), f), f);
  const s = f64x2.div(f, f64x2.add(f64x2.splat(2.0), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  let t1 = f64x2.add(f64x2.splat(LG4), f64x2.mul(w, f64x2.splat(LG6)));
  t1 = f64x2.mul(w, f64x2.add(f64x2.splat(LG2), f64x2.mul(w, t1)));
  let t2 = f64x2.add(f64x2.splat(LG5), f64x2.mul(w, f64x2.splat(LG7)));
  t2 = f64x2.add(f64x2.splat(LG3), f64x2.mul(w, t2));
  t2 = f64x2.mul(z, f64x2.add(f64x2.splat(LG1), f64x2.mul(w, t2)));
  const R = f64x2.add(t2, t1);
  let res = f64x2.mul(s, f64x2.add(hfsq, R));
  res = f64x2.add(res, f64x2.mul(dk, f64x2.splat(LN2_LO)));
  res = f64x2.sub(res, hfsq);
  res = f64x2.add(res, f);
  res = f64x2.add(res, f64x2.mul(dk, f64x2.splat(LN2_HI)));
  // Lanes outside (0, +Infinity): ±0 → −Infinity, negative → NaN, +Infinity and NaN → x.
  const ok = v128.and(f64x2.gt(x, f64x2.splat(0.0)), f64x2.lt(x, f64x2.splat(Infinity)));
  const special = v128.bitselect(
    f64x2.splat(-Infinity),
    v128.bitselect(f64x2.splat(NaN), x, f64x2.lt(x, f64x2.splat(0.0))),
    f64x2.eq(x, f64x2.splat(0.0)),
  );
  return v128.bitselect(res, special, ok);
}

/** ln x, the scalar twin of logF64x2 (same operations, same results). */
// logF64: same bound as logF64x2.
// @ts-ignore: decorator
@inline
export function logF64(x: f64): f64 {
  if (!(x > 0.0 && x < Infinity)) return x == 0.0 ? -Infinity : x < 0.0 ? NaN : x;
  const tiny = x < MIN_NORMAL;
  const xs = tiny ? x * TWO54 : x;
  const u = reinterpret<i64>(xs) + LOG_BIAS_SHIFT;
  const e = <u64>u >> 52;
  const m = reinterpret<f64>((u & LOG_MANT_MASK) + LOG_MANT_BASE);
  const dk = (reinterpret<f64>(e | EXP_TO_F64) - EXP_TO_F64_OFFSET) - (tiny ? 54.0 : 0.0);
  const f = m - 1.0;
  const hfsq = 0.5 * f * f;
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  const R = t2 + t1;
  return s * (hfsq + R) + dk * LN2_LO - hfsq + f + dk * LN2_HI;
}
