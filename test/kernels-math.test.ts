import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../src/wasm/load.js';
import { testRng } from './helpers/close.js';

const ws = (await loadRuntime()).sync;

/** Applies the kernel hook (`vexp` / `vlog`: f64x2 body, scalar tail for odd n) to xs. */
function apply(hook: 'vexp' | 'vexpneg' | 'vlog', xs: ArrayLike<number>): Float64Array {
  return ws.scope(() => {
    const xPtr = ws.put(xs);
    const outPtr = ws.alloc(xs.length);
    ws.k[hook](xPtr, xs.length, outPtr);
    return Float64Array.from(ws.f64(outPtr, xs.length));
  });
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
/** Position of x on the line of doubles ordered by value (−0 and +0 coincide). */
function ordinal(x: number): bigint {
  f64[0] = x;
  const b = i64[0]!;
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}
/** Number of doubles between a and b (0 when identical, NaN-NaN included). */
function ulps(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  const d = ordinal(a) - ordinal(b);
  return Number(d < 0n ? -d : d);
}

/** Worst ULP distance of hook(xs) from ref(xs), and where. */
function worstUlps(hook: 'vexp' | 'vexpneg' | 'vlog', ref: (x: number) => number, xs: number[]): { worst: number; at: number } {
  const ys = apply(hook, xs);
  let worst = 0;
  let at = NaN;
  for (let i = 0; i < xs.length; i++) {
    const u = ulps(ys[i]!, ref(xs[i]!));
    if (u > worst) {
      worst = u;
      at = xs[i]!;
    }
  }
  return { worst, at };
}

function uniform(rand: () => number, count: number, lo: number, hi: number): number[] {
  return Array.from({ length: count }, () => lo + (hi - lo) * rand());
}

// V8's Math.exp and Math.log are fdlibm's (< 1 ULP from the exact value). logF64x2 is fdlibm's too; expF64x2 is
// table-driven (estimated ≤ 0.55 ULP for normal results), so their distance from V8's is at most 1 ULP, which is
// the bound stated beside each in assembly/simd/math.ts and the bound checked here.
describe('expF64x2 (vexp hook) against Math.exp', () => {
  const rand = testRng(11);
  /** Worst ULP distance from Math.exp over `count` values uniform on [lo, hi], in batches of 500 000. */
  function worstOn(count: number, lo: number, hi: number): { worst: number; at: number } {
    let worst = { worst: 0, at: NaN };
    for (let done = 0; done < count; done += 500_000) {
      const r = worstUlps('vexp', Math.exp, uniform(rand, Math.min(500_001, count - done), lo, hi));
      if (r.worst > worst.worst) worst = r;
    }
    return worst;
  }
  it('≤ 1 ULP on [-746, 710] (2 000 000 values, subnormal results and overflow included)', () => {
    const r = worstOn(2_000_000, -746, 710);
    expect(r.worst, `at x = ${r.at}`).toBeLessThanOrEqual(1);
  });
  it('≤ 1 ULP on the subnormal range [-745.14, -708.39] and near overflow [700, 709.79] (500 000 each)', () => {
    for (const [lo, hi] of [[-745.14, -708.39], [700, 709.79]] as const) {
      const r = worstOn(500_000, lo, hi);
      expect(r.worst, `at x = ${r.at}`).toBeLessThanOrEqual(1);
    }
  });
  it('≤ 1 ULP near 0, on [-1, 1], across the fast/wide boundary at |x| = 708, and at table points m·ln2/256', () => {
    for (const xs of [
      uniform(rand, 100_000, -1e-8, 1e-8),
      uniform(rand, 500_000, -1, 1),
      uniform(rand, 200_000, -708.5, -707.5),
      uniform(rand, 200_000, 707.5, 708.5),
      Array.from({ length: 2001 }, (_, i) => (i - 1000) * Math.LN2 / 2),
      Array.from({ length: 200_001 }, (_, i) => (i - 100_000) * Math.LN2 / 256 * 2.5),
      Array.from({ length: 20_001 }, (_, i) => (i - 10_000) * Math.LN2 / 512),
    ]) {
      const r = worstUlps('vexp', Math.exp, xs);
      expect(r.worst, `at x = ${r.at}`).toBeLessThanOrEqual(1);
    }
  });
  it('special values: ±Infinity, NaN, ±0, overflow and underflow thresholds', () => {
    const xs = [-Infinity, Infinity, NaN, 0, -0, 709.782712893384, 709.7827128933841, 710, 1e308,
      -745.1332191019411, -745.1332191019412, -745.2, -746, -1e308, Number.MIN_VALUE, -Number.MIN_VALUE,
      708, -708, 708.0000000000001, -708.0000000000001, 1, -1];
    const ys = apply('vexp', xs);
    expect(Array.from(ys)).toEqual(xs.map(Math.exp));
    expect(ys[0]).toBe(0);
    expect(ys[1]).toBe(Infinity);
    expect(ys[2]).toBeNaN();
    expect(ys[5]).toBeLessThan(Infinity);
    expect(ys[6]).toBe(Infinity);
    expect(ys[9]).toBe(5e-324);
    expect(ys[10]).toBe(0);
    expect(ys[20]).toBe(Math.E);
  });
  it('NaN lanes stay NaN beside any other lane, and the other lane is unaffected', () => {
    const others = [0, 1, -700, -708.5, -745, -800, 709, 710, Infinity, -Infinity];
    const xs = others.flatMap((v) => [NaN, v, v, NaN]);
    const ys = apply('vexp', xs);
    for (let i = 0; i < others.length; i++) {
      expect(ys[4 * i]).toBeNaN();
      expect(ys[4 * i + 3]).toBeNaN();
      expect(ys[4 * i + 1]).toBe(Math.exp(others[i]!));
      expect(ys[4 * i + 2]).toBe(Math.exp(others[i]!));
    }
  });
  it('vector body and scalar tail give identical bits (lanes mixing the fast and the wide path)', () => {
    const xs = [...uniform(rand, 1500, -750, 715), ...uniform(rand, 500, -710, -706), ...uniform(rand, 500, -1, 1)];
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    const pairs = apply('vexp', xs);
    const singles = xs.map((x) => apply('vexp', [x])[0]);
    for (let i = 0; i < xs.length; i++) expect(Object.is(singles[i], pairs[i]), `at x = ${xs[i]}`).toBe(true);
  });
});

describe('expNegF64x2 (vexpneg hook), exp for x ≤ 660, against Math.exp and expF64x2', () => {
  const rand = testRng(13);
  it('≤ 1 ULP from Math.exp on [-746, 660] (1 000 000 values) and on the subnormal range [-745.14, -708.39] (500 000)', () => {
    for (const [lo, hi, count] of [[-746, 660, 1_000_000], [-745.14, -708.39, 500_000], [600, 660, 100_000]] as const) {
      const r = worstUlps('vexpneg', Math.exp, uniform(rand, count, lo, hi));
      expect(r.worst, `at x = ${r.at}`).toBeLessThanOrEqual(1);
    }
  });
  it('the same bits as expF64x2 wherever the result is normal (-708.39 ≤ x ≤ 660), table points and near 0 included', () => {
    for (const xs of [
      uniform(rand, 300_000, -708.39, 660),
      Array.from({ length: 20_001 }, (_, i) => 660 - i * Math.LN2 / 256 * 2.5),
      uniform(rand, 100_000, -1e-8, 0),
      uniform(rand, 100_000, -40, 0),
      Array.from({ length: 100_001 }, (_, i) => -i * Math.LN2 / 256 * 2.5),
    ]) {
      const a = apply('vexpneg', xs);
      const b = apply('vexp', xs);
      const differ = xs.findIndex((_, i) => !Object.is(a[i], b[i]));
      expect(differ, `at x = ${xs[differ]}`).toBe(-1);
    }
  });
  it('special values: -Infinity, NaN, ±0, the underflow threshold and far below it', () => {
    const xs = [-Infinity, NaN, 0, -0, -745.1332191019411, -745.1332191019412, -745.2, -746, -746.0000000000001, -1e308,
      -Number.MIN_VALUE, -708, -708.0000000000001, -1, 1, 660, 659.9999999999999, Number.MIN_VALUE];
    const ys = apply('vexpneg', xs);
    expect(Array.from(ys)).toEqual(xs.map(Math.exp));
    expect(ys[0]).toBe(0);
    expect(ys[1]).toBeNaN();
    expect(ys[2]).toBe(1);
    expect(ys[4]).toBe(5e-324);
    expect(ys[5]).toBe(0);
  });
  it('vector body and scalar tail give identical bits', () => {
    const xs = [...uniform(rand, 1500, -750, 660), ...uniform(rand, 500, -746, -700), NaN, -Infinity];
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    const pairs = apply('vexpneg', xs);
    const singles = xs.map((x) => apply('vexpneg', [x])[0]);
    for (let i = 0; i < xs.length; i++) expect(Object.is(singles[i], pairs[i]), `at x = ${xs[i]}`).toBe(true);
  });
});

describe('logF64x2 (vlog hook) against Math.log', () => {
  const rand = testRng(12);
  /** Positive doubles with uniformly random exponent bits (subnormals included) and random mantissas. */
  function allExponents(count: number): number[] {
    const out: number[] = [];
    const b = new BigInt64Array(1);
    const v = new Float64Array(b.buffer);
    for (let i = 0; i < count; i++) {
      const e = BigInt(Math.floor(rand() * 2047));
      const m = (BigInt(Math.floor(rand() * 2 ** 26)) << 26n) | BigInt(Math.floor(rand() * 2 ** 26));
      b[0] = (e << 52n) | m;
      out.push(v[0]!);
    }
    return out;
  }
  it('≤ 1 ULP over all exponents (200 000 values, subnormal inputs included)', () => {
    const r = worstUlps('vlog', Math.log, allExponents(200_001));
    expect(r.worst, `at x = ${r.at}`).toBeLessThanOrEqual(1);
  });
  it('≤ 1 ULP near 1, near √2/2 and √2, and on subnormals', () => {
    for (const xs of [
      uniform(rand, 50_000, 0.9, 1.1),
      uniform(rand, 20_000, 1 - 1e-9, 1 + 1e-9),
      uniform(rand, 20_000, 0.70, 0.72),
      uniform(rand, 20_000, 1.40, 1.43),
      uniform(rand, 20_000, 0, 2.2250738585072014e-308),
      uniform(rand, 20_000, 1e-3, 1e3),
    ]) {
      const r = worstUlps('vlog', Math.log, xs);
      expect(r.worst, `at x = ${r.at}`).toBeLessThanOrEqual(1);
    }
  });
  it('special values: 0 → -Infinity, negative → NaN, +Infinity → +Infinity, NaN propagates', () => {
    const xs = [0, -0, -1, -Infinity, -Number.MIN_VALUE, Infinity, NaN, 1, Number.MIN_VALUE, Number.MAX_VALUE, 2, 0.5];
    const ys = apply('vlog', xs);
    expect(ys[0]).toBe(-Infinity);
    expect(ys[1]).toBe(-Infinity);
    expect(ys[2]).toBeNaN();
    expect(ys[3]).toBeNaN();
    expect(ys[4]).toBeNaN();
    expect(ys[5]).toBe(Infinity);
    expect(ys[6]).toBeNaN();
    expect(ys[7]).toBe(0);
    expect(ys[8]).toBe(Math.log(Number.MIN_VALUE));
    expect(ys[9]).toBe(Math.log(Number.MAX_VALUE));
    expect(ys[10]).toBe(Math.LN2);
    expect(ys[11]).toBe(-Math.LN2);
  });
  it('vector body and scalar tail give identical bits', () => {
    const xs = allExponents(999);
    const pairs = apply('vlog', xs);
    for (let i = 0; i < 50; i++) expect(Object.is(apply('vlog', [xs[i]!])[0], pairs[i])).toBe(true);
  });
});
