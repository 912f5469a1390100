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
// Splatted constants for expF64x2, read from a static table: V8 rebuilds every v128.const inside a loop from
// immediates, and loading them instead made vexp 1.5× faster (5.4 → 3.6 ms for 8·10^5 values). X_* are byte offsets.
const X_LO = 0, X_HI = 16, X_LOG2E = 32, X_SHIFTER = 48, X_LN2_HI = 64, X_LN2_LO = 80, X_P1 = 96, X_P2 = 112;
const X_P3 = 128, X_P4 = 144, X_P5 = 160, X_TWO = 176, X_ONE = 192, X_I2048 = 208, X_I1024 = 224, X_I1023 = 240;
const EXP_TABLE: usize = memory.data<f64>([
  EXP_CLAMP_LO, EXP_CLAMP_LO, EXP_CLAMP_HI, EXP_CLAMP_HI, LOG2E, LOG2E, SHIFTER, SHIFTER, LN2_HI, LN2_HI, LN2_LO, LN2_LO,
  P1, P1, P2, P2, P3, P3, P4, P4, P5, P5, 2.0, 2.0, 1.0, 1.0,
  reinterpret<f64>(<i64>2048), reinterpret<f64>(<i64>2048), reinterpret<f64>(<i64>1024), reinterpret<f64>(<i64>1024),
  reinterpret<f64>(<i64>1023), reinterpret<f64>(<i64>1023),
], 16);

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
// Splatted constants for logF64x2, as for exp; L_* are byte offsets.
const L_MIN_NORMAL = 0, L_ONE = 16, L_TWO54 = 32, L_BIAS_SHIFT = 48, L_MANT_MASK = 64, L_MANT_BASE = 80;
const L_EXP_TO_F64 = 96, L_EXP_OFFSET = 112, L_54 = 128, L_HALF = 144, L_TWO = 160, L_LG1 = 176, L_LG2 = 192;
const L_LG3 = 208, L_LG4 = 224, L_LG5 = 240, L_LG6 = 256, L_LG7 = 272, L_LN2_HI = 288, L_LN2_LO = 304, L_INF = 320;
const LOG_TABLE: usize = memory.data<f64>([
  MIN_NORMAL, MIN_NORMAL, 1.0, 1.0, TWO54, TWO54,
  reinterpret<f64>(LOG_BIAS_SHIFT), reinterpret<f64>(LOG_BIAS_SHIFT),
  reinterpret<f64>(LOG_MANT_MASK), reinterpret<f64>(LOG_MANT_MASK),
  reinterpret<f64>(LOG_MANT_BASE), reinterpret<f64>(LOG_MANT_BASE),
  reinterpret<f64>(EXP_TO_F64), reinterpret<f64>(EXP_TO_F64), EXP_TO_F64_OFFSET, EXP_TO_F64_OFFSET, 54.0, 54.0,
  0.5, 0.5, 2.0, 2.0,
  LG1, LG1, LG2, LG2, LG3, LG3, LG4, LG4, LG5, LG5, LG6, LG6, LG7, LG7,
  LN2_HI, LN2_HI, LN2_LO, LN2_LO, Infinity, Infinity,
], 16);

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
  const T = EXP_TABLE;
  // pmax/pmin with x first keep NaN (the comparison is false), and send ±Infinity to the clamps.
  const xc = f64x2.pmin(f64x2.pmax(x, v128.load(T, X_LO)), v128.load(T, X_HI));
  const shifter = v128.load(T, X_SHIFTER);
  const t = f64x2.add(f64x2.mul(xc, v128.load(T, X_LOG2E)), shifter);
  const kf = f64x2.sub(t, shifter);
  const ki = i64x2.sub(t, shifter);
  const hi = f64x2.sub(xc, f64x2.mul(kf, v128.load(T, X_LN2_HI)));
  const lo = f64x2.mul(kf, v128.load(T, X_LN2_LO));
  const r = f64x2.sub(hi, lo);
  const z = f64x2.mul(r, r);
  let p = f64x2.add(v128.load(T, X_P4), f64x2.mul(z, v128.load(T, X_P5)));
  p = f64x2.add(v128.load(T, X_P3), f64x2.mul(z, p));
  p = f64x2.add(v128.load(T, X_P2), f64x2.mul(z, p));
  p = f64x2.add(v128.load(T, X_P1), f64x2.mul(z, p));
  const c = f64x2.sub(r, f64x2.mul(z, p));
  const q = f64x2.div(f64x2.mul(r, c), f64x2.sub(v128.load(T, X_TWO), c));
  const y = f64x2.sub(v128.load(T, X_ONE), f64x2.sub(f64x2.sub(lo, q), hi));
  // k1 = ⌊k/2⌋ via an unsigned shift of k + 2048 (i64x2.shr_s has no SSE instruction and costs V8 a sequence).
  const k1 = i64x2.sub(i64x2.shr_u(i64x2.add(ki, v128.load(T, X_I2048)), 1), v128.load(T, X_I1024));
  const k2 = i64x2.sub(ki, k1);
  const e1023 = v128.load(T, X_I1023);
  const s1 = i64x2.shl(i64x2.add(k1, e1023), 52);
  const s2 = i64x2.shl(i64x2.add(k2, e1023), 52);
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
  const T = LOG_TABLE;
  const one = v128.load(T, L_ONE);
  const zero = f64x2.splat(0.0);
  const tiny = f64x2.lt(x, v128.load(T, L_MIN_NORMAL));
  const xs = f64x2.mul(x, v128.bitselect(v128.load(T, L_TWO54), one, tiny));
  const u = i64x2.add(xs, v128.load(T, L_BIAS_SHIFT));
  const e = i64x2.shr_u(u, 52);
  const m = i64x2.add(v128.and(u, v128.load(T, L_MANT_MASK)), v128.load(T, L_MANT_BASE));
  const dk = f64x2.sub(
    f64x2.sub(v128.or(e, v128.load(T, L_EXP_TO_F64)), v128.load(T, L_EXP_OFFSET)),
    v128.and(v128.load(T, L_54), tiny),
  );
  const f = f64x2.sub(m, one);
  const hfsq = f64x2.mul(f64x2.mul(v128.load(T, L_HALF), f), f);
  const s = f64x2.div(f, f64x2.add(v128.load(T, L_TWO), f));
  const z = f64x2.mul(s, s);
  const w = f64x2.mul(z, z);
  let t1 = f64x2.add(v128.load(T, L_LG4), f64x2.mul(w, v128.load(T, L_LG6)));
  t1 = f64x2.mul(w, f64x2.add(v128.load(T, L_LG2), f64x2.mul(w, t1)));
  let t2 = f64x2.add(v128.load(T, L_LG5), f64x2.mul(w, v128.load(T, L_LG7)));
  t2 = f64x2.add(v128.load(T, L_LG3), f64x2.mul(w, t2));
  t2 = f64x2.mul(z, f64x2.add(v128.load(T, L_LG1), f64x2.mul(w, t2)));
  const R = f64x2.add(t2, t1);
  let res = f64x2.mul(s, f64x2.add(hfsq, R));
  res = f64x2.add(res, f64x2.mul(dk, v128.load(T, L_LN2_LO)));
  res = f64x2.sub(res, hfsq);
  res = f64x2.add(res, f);
  res = f64x2.add(res, f64x2.mul(dk, v128.load(T, L_LN2_HI)));
  // Lanes outside (0, +Infinity): ±0 → −Infinity, negative → NaN, +Infinity and NaN → x.
  const inf = v128.load(T, L_INF);
  const ok = v128.and(f64x2.gt(x, zero), f64x2.lt(x, inf));
  const special = v128.bitselect(
    f64x2.neg(inf),
    v128.bitselect(f64x2.splat(NaN), x, f64x2.lt(x, zero)),
    f64x2.eq(x, zero),
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
