// Vectorised exp and log over f64x2 (AssemblyScript has neither), with scalar twins that run the same operations
// in the same order, so a kernel's vector body and scalar tail agree bit for bit. exp is table-driven (Tang, 1989; the
// layout of ARM optimized-routines), log follows musl's branch-free form of fdlibm's e_log.c (Sun, 1993).

import { EXP_C2, EXP_C3, EXP_C4, EXP_TABLE_2J } from './exp-table';

const LN2_HI: f64 = 6.93147180369123816490e-1; // 0x3fe62e42fee00000: 32 significant bits (fdlibm)
const LN2_LO: f64 = 1.90821492927058770002e-10; // ln 2 − LN2_HI
// exp: x = (256·e + j)·ln2/256 + r, |r| ≤ ln2/512, e^x = 2^e·2^(j/256)·e^r.
const INV_LN2_N: f64 = 369.3299304675746; // 256/ln 2
const NEG_LN2_HI_N: f64 = -LN2_HI / 256.0; // 32 significant bits: n·NEG_LN2_HI_N is exact for |n| < 2^21
const NEG_LN2_LO_N: f64 = -LN2_LO / 256.0;
const SHIFTER: f64 = 6755399441055744.0; // 1.5·2^52: z + SHIFTER rounds z to an integer n held in the low mantissa bits
const SHIFTER_BITS_DIV_256: i64 = 0x0043380000000000; // bits(SHIFTER) >> 8, so (bits(z + SHIFTER) >>> 8) − this = ⌊n/256⌋
// |x| ≤ 700 keeps 2^e·H_j normal and finite, and 2^e·H_j·tmp (tmp ≈ e^r − 1, |tmp| < 0.0014) normal or too small
// to matter (a subnormal product's rounding is ≤ 2^−12 ULP of a result ≥ e^−700). Beyond, exp is +Inf above
// 709.782712893384 and 0 below −745.1332191019412; clamping to [−746, 710] keeps e in [−1077, 1024], and 2^e is applied as 2^⌊e/2⌋·2^(e−⌊e/2⌋).
const EXP_FAST_MAX: f64 = 700.0;
const EXP_CLAMP_LO: f64 = -746.0;
const EXP_CLAMP_HI: f64 = 710.0;
// Splatted constants for expF64x2, read from a static table: V8 rebuilds every v128.const inside a loop from
// immediates, and loading them instead is faster. X_* are byte offsets.
const X_INV_LN2_N = 0, X_SHIFTER = 16, X_NEG_LN2_HI_N = 32, X_NEG_LN2_LO_N = 48, X_C2 = 64, X_C3 = 80, X_C4 = 96;
const X_FAST_MAX = 112, X_LO = 128, X_HI = 144, X_SHIFTER_DIV = 160, X_I2048 = 176, X_I1024 = 192, X_I1023 = 208;
const X_UP64 = 224, X_DOWN64 = 240;
// expNegF64x2 works 2^64 above its result and scales back at the end (below).
const UP64_BITS: i64 = 64 << 52;
const DOWN64: f64 = 5.421010862427522e-20; // 2^−64
const EXP_TABLE: usize = memory.data<f64>([
  INV_LN2_N, INV_LN2_N, SHIFTER, SHIFTER, NEG_LN2_HI_N, NEG_LN2_HI_N, NEG_LN2_LO_N, NEG_LN2_LO_N,
  EXP_C2, EXP_C2, EXP_C3, EXP_C3, EXP_C4, EXP_C4, EXP_FAST_MAX, EXP_FAST_MAX,
  EXP_CLAMP_LO, EXP_CLAMP_LO, EXP_CLAMP_HI, EXP_CLAMP_HI,
  reinterpret<f64>(SHIFTER_BITS_DIV_256), reinterpret<f64>(SHIFTER_BITS_DIV_256),
  reinterpret<f64>(<i64>2048), reinterpret<f64>(<i64>2048), reinterpret<f64>(<i64>1024), reinterpret<f64>(<i64>1024),
  reinterpret<f64>(<i64>1023), reinterpret<f64>(<i64>1023),
  reinterpret<f64>(UP64_BITS), reinterpret<f64>(UP64_BITS), DOWN64, DOWN64,
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
const L_PROD_MIN = 336, L_PROD_MAX = 352, L_I1023 = 368;
// Factors a running product (below) takes: one multiply of a mantissa in [1, 2) by a value in [2^−1000, 2^1000]
// stays normal and finite.
const PROD_MIN: f64 = 9.332636185032189e-302; // 2^−1000
const PROD_MAX: f64 = 1.0715086071862673e301; // 2^1000
const LOG_TABLE: usize = memory.data<f64>([
  MIN_NORMAL, MIN_NORMAL, 1.0, 1.0, TWO54, TWO54,
  reinterpret<f64>(LOG_BIAS_SHIFT), reinterpret<f64>(LOG_BIAS_SHIFT),
  reinterpret<f64>(LOG_MANT_MASK), reinterpret<f64>(LOG_MANT_MASK),
  reinterpret<f64>(LOG_MANT_BASE), reinterpret<f64>(LOG_MANT_BASE),
  reinterpret<f64>(EXP_TO_F64), reinterpret<f64>(EXP_TO_F64), EXP_TO_F64_OFFSET, EXP_TO_F64_OFFSET, 54.0, 54.0,
  0.5, 0.5, 2.0, 2.0,
  LG1, LG1, LG2, LG2, LG3, LG3, LG4, LG4, LG5, LG5, LG6, LG6, LG7, LG7,
  LN2_HI, LN2_HI, LN2_LO, LN2_LO, Infinity, Infinity,
  PROD_MIN, PROD_MIN, PROD_MAX, PROD_MAX, reinterpret<f64>(<i64>1023), reinterpret<f64>(<i64>1023),
], 16);

/**
 * e^x for two lanes, without a division (Tang's table-driven method): n = round(x·256/ln2) = 256·e + j, r = x − n·ln2/256
 * in two parts (Cody–Waite), |r| ≤ ln2/512; then e^x = 2^e·H_j·(1 + T_j + p(r)) with 2^(j/256) = H_j·(1 + T_j) from
 * a table and p(r) ≈ e^r − 1 of degree 4 (assembly/simd/exp-table.ts). 2^e·H_j is made by adding n << 44 to the
 * stored bits. Lanes with |x| > 700 (overflow, tiny, subnormal and zero results, ±Infinity) take a rarely used branch.
 */
// expF64x2: ≤ 1 ULP from Math.exp (V8's fdlibm, itself < 1 ULP) on all of [−746, 710], subnormal results included,
// checked over 4·10^6 values in test/kernels-math.test.ts. From the exact value (mpmath, 6·10^4 values): ≤ 0.58 ULP
// for normal results (0.5 last rounding + ≤ 0.09 polynomial); subnormal results round twice, as in fdlibm (≤ 0.75 of
// the subnormal spacing measured). x > 709.79 → +Infinity, x < −745.14 → 0, exp(−Infinity) = 0,
// exp(+Infinity) = +Infinity, NaN propagates. Division-free; same operations in every lane and in expF64.
// @ts-ignore: decorator
@inline
export function expF64x2(x: v128): v128 {
  const T = EXP_TABLE;
  const y = expSteps(x, EXP_PLAIN);
  // x < −746 (−Infinity included) underflows to 0 without the branch: log-sum-exp and the HMM emissions meet such
  // lanes all the time (far components), and an unpredictable branch would cost more than the whole fast path.
  // What remains wide is −746 ≤ x < −700 (subnormal results) and x > 700, +Infinity included (NaN compares false
  // and stays on the fast path, which propagates it).
  const under = f64x2.lt(x, v128.load(T, X_LO));
  const wide = v128.andnot(f64x2.gt(f64x2.abs(x), v128.load(T, X_FAST_MAX)), under);
  if (i64x2.bitmask(wide)) return v128.andnot(v128.bitselect(expWideF64x2(x), y, wide), under);
  return v128.andnot(y, under);
}

/** expF64x2 for |x| > 700: the same steps on x clamped to [−746, 710], with 2^e applied in two factors. */
// @ts-ignore: decorator
@inline
function expWideF64x2(x: v128): v128 {
  const T = EXP_TABLE;
  const xc = f64x2.pmin(f64x2.pmax(x, v128.load(T, X_LO)), v128.load(T, X_HI));
  const y = expSteps(xc, EXP_WIDE);
  const e = expExponent(f64x2.add(f64x2.mul(xc, v128.load(T, X_INV_LN2_N)), v128.load(T, X_SHIFTER)));
  // e1 = ⌊e/2⌋ via an unsigned shift of e + 2048 (i64x2.shr_s has no SSE instruction and costs V8 a sequence).
  const k1 = i64x2.sub(i64x2.shr_u(i64x2.add(e, v128.load(T, X_I2048)), 1), v128.load(T, X_I1024));
  const k2 = i64x2.sub(e, k1);
  const e1023 = v128.load(T, X_I1023);
  return f64x2.mul(f64x2.mul(y, i64x2.shl(i64x2.add(k1, e1023), 52)), i64x2.shl(i64x2.add(k2, e1023), 52));
}

/** e^x, the scalar twin of expF64x2 (same operations, same results). */
// expF64: same bound as expF64x2.
// @ts-ignore: decorator
@inline
export function expF64(x: f64): f64 {
  if (!(abs(x) > EXP_FAST_MAX)) return expStepsScalar(x, EXP_PLAIN);
  let xc = x < EXP_CLAMP_LO ? EXP_CLAMP_LO : x;
  xc = EXP_CLAMP_HI < xc ? EXP_CLAMP_HI : xc;
  const y = expStepsScalar(xc, EXP_WIDE);
  const e = expExponentScalar(reinterpret<i64>(xc * INV_LN2_N + SHIFTER));
  const k1 = (e >> 1);
  const k2 = e - k1;
  return y * reinterpret<f64>((k1 + 1023) << 52) * reinterpret<f64>((k2 + 1023) << 52);
}

/** expExponent for the bits kb of one kd. */
// @ts-ignore: decorator
@inline
function expExponentScalar(kb: i64): i64 {
  return (<i64>(<u64>kb >> 8)) - SHIFTER_BITS_DIV_256;
}

/** expSteps for one value (the scalar twins' shared steps, in the same order). */
// @ts-ignore: decorator
@inline
function expStepsScalar(x: f64, mode: i32): f64 {
  const kd = x * INV_LN2_N + SHIFTER;
  const nf = kd - SHIFTER;
  const r = (x + nf * NEG_LN2_HI_N) + nf * NEG_LN2_LO_N;
  const kb = reinterpret<i64>(kd);
  const entry = EXP_TABLE_2J + ((<usize>kb & 255) << 4);
  const tail = load<f64>(entry);
  const r2 = r * r;
  const tmp = (tail + r) + r2 * ((EXP_C2 + r * EXP_C3) + r2 * EXP_C4);
  let sbits = load<i64>(entry, 8) + (kb << 44);
  if (mode == EXP_UP64) sbits += UP64_BITS;
  if (mode == EXP_WIDE) sbits -= expExponentScalar(kb) << 52;
  const scale = reinterpret<f64>(sbits);
  return scale + scale * tmp;
}

/**
 * e^x for x ≤ 660 (log-sum-exp and the HMM emissions exponentiate log-probabilities minus their maximum, or minus a
 * pivot at most 660 below it), without expF64x2's branch: the same steps, but 2^e·H_j is made 2^64 too large (e + 64
 * stays in [−1013, 1016], normal, for every x in [−746, 660]) and the result is multiplied by 2^−64 at the end. That
 * multiply is exact for normal results, so they are expF64x2's bit for bit; a subnormal result is rounded twice (to
 * 53 bits, then to the subnormal grid), as in expF64x2's wide branch. x < −746 (−Infinity included) gives 0, NaN
 * propagates; x > 660 is outside its domain (wrong beyond x ≈ 665).
 */
// expNegF64x2: ≤ 1 ULP from Math.exp on [−746, 660], subnormal results included; bit-identical to expF64x2 where the
// result is normal (x ≥ −708.39); checked in test/kernels-math.test.ts.
// @ts-ignore: decorator
@inline
export function expNegF64x2(x: v128): v128 {
  const T = EXP_TABLE;
  const y = f64x2.mul(expSteps(x, EXP_UP64), v128.load(T, X_DOWN64));
  return v128.andnot(y, f64x2.lt(x, v128.load(T, X_LO)));
}

// expSteps' ways of making the scale from the stored bits of H_j: + (n << 44), which is 2^e·H_j (EXP_PLAIN); 2^64
// times that (EXP_UP64); or H_j alone, − (e << 52) more (EXP_WIDE, whose caller applies 2^e in two factors).
const EXP_PLAIN = 0, EXP_UP64 = 1, EXP_WIDE = 2;

/** e = ⌊n/256⌋ from an unsigned shift of kd's bits. */
// @ts-ignore: decorator
@inline
function expExponent(kd: v128): v128 {
  return i64x2.sub(i64x2.shr_u(kd, 8), v128.load(EXP_TABLE, X_SHIFTER_DIV));
}

/** The steps every vector exp shares: scale·(1 + T_j + p(r)), the scale made as `mode` says (mod 2^64). */
// @ts-ignore: decorator
@inline
function expSteps(x: v128, mode: i32): v128 {
  const T = EXP_TABLE;
  const shifter = v128.load(T, X_SHIFTER);
  const kd = f64x2.add(f64x2.mul(x, v128.load(T, X_INV_LN2_N)), shifter);
  const nf = f64x2.sub(kd, shifter);
  const r = f64x2.add(
    f64x2.add(x, f64x2.mul(nf, v128.load(T, X_NEG_LN2_HI_N))),
    f64x2.mul(nf, v128.load(T, X_NEG_LN2_LO_N)),
  );
  // n's low bits sit in the low mantissa bits of kd: j = n & 255 indexes the 16-byte (T_j, H_j) entries.
  const e0 = v128.load((<usize>i32x4.extract_lane(kd, 0) & 255) << 4, EXP_TABLE_2J);
  const e1 = v128.load((<usize>i32x4.extract_lane(kd, 2) & 255) << 4, EXP_TABLE_2J);
  const tail = v128.shuffle<i64>(e0, e1, 0, 2);
  let scale = i64x2.add(v128.shuffle<i64>(e0, e1, 1, 3), i64x2.shl(kd, 44));
  if (mode == EXP_UP64) scale = i64x2.add(scale, v128.load(T, X_UP64));
  if (mode == EXP_WIDE) scale = i64x2.sub(scale, i64x2.shl(expExponent(kd), 52));
  const r2 = f64x2.mul(r, r);
  const p = f64x2.add(
    f64x2.add(v128.load(T, X_C2), f64x2.mul(r, v128.load(T, X_C3))),
    f64x2.mul(r2, v128.load(T, X_C4)),
  );
  const tmp = f64x2.add(f64x2.add(tail, r), f64x2.mul(r2, p));
  return f64x2.add(scale, f64x2.mul(scale, tmp));
}

/** e^x for x ≤ 660, the scalar twin of expNegF64x2 (same operations, same results). */
// expNegF64: same bound as expNegF64x2.
// @ts-ignore: decorator
@inline
export function expNegF64(x: f64): f64 {
  const y = expStepsScalar(x, EXP_UP64) * DOWN64;
  return x < EXP_CLAMP_LO ? 0.0 : y;
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

// ---------------------------------------------------------------- Σ ln v as the logarithm of a product
// Σ_i ln v_i = ln Π_i v_i. A running product per lane, renormalised after every multiply to a mantissa in [1, 2)
// with its binary exponent moved into an integer sum, costs a multiply and four bit operations per value instead
// of a logarithm (about 6 ns per value on the benchmark machine). Error: each multiply rounds once, so the product
// is within a relative n·2^−53 and the sum within n·1.2·10^−16 absolute, less than summing n logarithms that are
// each within 1 ULP of |ln v_i| and then rounding n additions. Only factors in [2^−1000, 2^1000] may be multiplied
// (productFactorsOk); a caller logs any other value (0, subnormal, huge, NaN) directly.
//   let m = productStart(), e = i64x2.splat(0);
//   for each pair v: m = f64x2.mul(m, v); e = i64x2.add(e, productExponent(m)); m = productMantissa(m);
//   Σ ln v = productLog(m, e)

/** The running product's start: 1 in both lanes. */
// @ts-ignore: decorator
@inline
export function productStart(): v128 {
  return v128.load(LOG_TABLE, L_ONE);
}

/** True when both lanes of v are in [2^−1000, 2^1000] (NaN is not). */
// @ts-ignore: decorator
@inline
export function productFactorsOk(v: v128): bool {
  const T = LOG_TABLE;
  return i64x2.all_true(v128.and(f64x2.ge(v, v128.load(T, L_PROD_MIN)), f64x2.le(v, v128.load(T, L_PROD_MAX))));
}

/** The unbiased binary exponent of each lane of p (positive and normal), as i64x2. */
// @ts-ignore: decorator
@inline
export function productExponent(p: v128): v128 {
  return i64x2.sub(i64x2.shr_u(p, 52), v128.load(LOG_TABLE, L_I1023));
}

/** p (positive and normal) with its exponent set to 0: the mantissa in [1, 2). */
// @ts-ignore: decorator
@inline
export function productMantissa(p: v128): v128 {
  const T = LOG_TABLE;
  return v128.or(v128.and(p, v128.load(T, L_MANT_MASK)), v128.load(T, L_ONE));
}

/** ln of the product held as mantissas m and exponent sums e (two lanes each). */
// @ts-ignore: decorator
@inline
export function productLog(m: v128, e: v128): f64 {
  const ef = <f64>(i64x2.extract_lane(e, 0) + i64x2.extract_lane(e, 1));
  return (logF64(f64x2.extract_lane(m, 0)) + logF64(f64x2.extract_lane(m, 1))) + (ef * LN2_HI + ef * LN2_LO);
}
