// log and exp as fdlibm 5.3 computes them (e_log.c, e_exp.c), in plain double arithmetic.
//
// Why not Math.log / Math.exp: ECMAScript leaves their rounding to the engine, and engines differ — Node 20's
// V8 and Chromium 156's V8 disagree in the last bit on ~10% (exp) and ~3% (log) of arguments — so a seed would
// not give the same result on every platform (DESIGN §1). These use only +, −, ×, ÷ and exponent-bit
// manipulation, which IEEE 754 pins exactly, so every engine returns the same bits. Error < 1 ULP (fdlibm's
// bound); they are the routines V8's own ieee754::log/exp port, so they match older V8 bit for bit.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian: high word second
const LO = 1 - HI;

const LN2_HI = 6.93147180369123816490e-1; // 0x3fe62e42 fee00000
const LN2_LO = 1.90821492927058770002e-10; // 0x3dea39ef 35793c76
const TWO54 = 1.8014398509481984e16;
const LG1 = 6.666666666666735130e-1;
const LG2 = 3.999999999940941908e-1;
const LG3 = 2.857142874366239149e-1;
const LG4 = 2.222219843214978396e-1;
const LG5 = 1.818357216161805012e-1;
const LG6 = 1.531383769920937332e-1;
const LG7 = 1.479819860511658591e-1;

/** Natural logarithm (fdlibm __ieee754_log): log(±0) = −Infinity, log(x < 0) = NaN, log(Infinity) = Infinity. */
export function log(x: number): number {
  f64[0] = x;
  let hx = u32[HI]! | 0;
  const lx = u32[LO]!;
  let k = 0;
  if (hx < 0x00100000) {
    if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
    if (hx < 0) return NaN;
    k -= 54; // subnormal: scale up
    x *= TWO54;
    f64[0] = x;
    hx = u32[HI]! | 0;
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i0 = (hx + 0x95f64) & 0x100000;
  u32[HI] = hx | (i0 ^ 0x3ff00000); // normalise x or x/2 into [√2/2, √2)
  x = f64[0]!;
  k += i0 >> 20;
  const f = x - 1;
  const dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // |f| < 2⁻²⁰
    if (f === 0) return k === 0 ? 0 : dk * LN2_HI + dk * LN2_LO;
    const r = f * f * (0.5 - 0.33333333333333333 * f);
    return k === 0 ? f - r : dk * LN2_HI - (r - dk * LN2_LO - f);
  }
  const s = f / (2 + f);
  const z = s * s;
  let i = hx - 0x6147a;
  const w = z * z;
  const j = 0x6b851 - hx;
  const t1 = w * (LG2 + w * (LG4 + w * LG6));
  const t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
  i |= j;
  const r = t2 + t1;
  if (i > 0) {
    const hfsq = 0.5 * f * f;
    return k === 0 ? f - (hfsq - s * (hfsq + r)) : dk * LN2_HI - (hfsq - (s * (hfsq + r) + dk * LN2_LO) - f);
  }
  return k === 0 ? f - s * (f - r) : dk * LN2_HI - (s * (f - r) - dk * LN2_LO - f);
}

const O_THRESHOLD = 7.09782712893383973096e2; // 0x40862E42 FEFA39EF
const U_THRESHOLD = -7.45133219101941108420e2; // 0xc0874910 D52D3051
const INV_LN2 = 1.44269504088896338700;
const TWOM1000 = 9.33263618503218878990e-302; // 2⁻¹⁰⁰⁰
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.65339022054652515390e-6;
const P5 = 4.13813679705723846039e-8;

/** e^x (fdlibm __ieee754_exp): exp(−Infinity) = 0, overflow → Infinity, NaN propagates. */
export function exp(x: number): number {
  f64[0] = x;
  const hxs = u32[HI]!;
  const xsb = hxs >>> 31;
  const hx = hxs & 0x7fffffff;
  if (hx >= 0x40862e42) {
    // |x| ≥ 709.78…
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | u32[LO]!) !== 0) return x + x; // NaN
      return xsb === 0 ? x : 0;
    }
    if (x > O_THRESHOLD) return Infinity;
    if (x < U_THRESHOLD) return 0;
  }
  let hi = 0;
  let lo = 0;
  let k = 0;
  if (hx > 0x3fd62e42) {
    // |x| > ½ln2: reduce to x − k·ln2
    if (hx < 0x3ff0a2b2) {
      // and |x| < 1.5·ln2
      if (x === 1) return Math.E; // correctly rounded, as V8's port does (fdlibm gives e + 1 ULP)
      hi = xsb === 0 ? x - LN2_HI : x + LN2_HI;
      lo = xsb === 0 ? LN2_LO : -LN2_LO;
      k = 1 - xsb - xsb;
    } else {
      k = Math.trunc(INV_LN2 * x + (xsb === 0 ? 0.5 : -0.5));
      hi = x - k * LN2_HI; // exact
      lo = k * LN2_LO;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {
    // |x| < 2⁻²⁸
    return 1 + x;
  }
  const t = x * x;
  const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k === 0) return 1 - ((x * c) / (c - 2) - x);
  const y = 1 - (lo - (x * c) / (2 - c) - hi);
  f64[0] = y;
  if (k >= -1021) {
    u32[HI] = (u32[HI]! + (k << 20)) >>> 0;
    return f64[0]!;
  }
  u32[HI] = (u32[HI]! + ((k + 1000) << 20)) >>> 0;
  return f64[0]! * TWOM1000;
}
