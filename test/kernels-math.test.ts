import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../src/wasm/load.js';
import { testRng } from './helpers/close.js';

const ws = (await loadRuntime()).sync;

/** Applies the kernel hook (`vexp` / `vlog`: f64x2 body, scalar tail for odd n) to xs. */
function apply(hook: 'vexp' | 'vlog', xs: ArrayLike<number>): Float64Array {
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
function worstUlps(hook: 'vexp' | 'vlog', ref: (x: number) => number, xs: number[]): { worst: number; at: number } {
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

// V8's Math.exp and Math.log are fdlibm's (< 1 ULP from the exact value), as are expF64x2/logF64x2, so their
// distance is at most 1 ULP; an mpmath check of 11 000 of these values put the true errors at ≤ 0.88 ULP (exp)
// and ≤ 0.52 ULP (log).
describe('expF64x2 (vexp hook) against Math.exp', () => {
  const rand = testRng(11);
  it('≤ 1 ULP on [-745.2, 709.78] (200 000 values, subnormal results included)', () => {
    const r = worstUlps('vexp', Math.exp, uniform(rand, 200_001, -745.2, 709.78));
    expect(r.worst, `at x = ${r.at}`).toBeLessThanOrEqual(1);
  });
  it('≤ 1 ULP near 0, on [-1, 1] and on the subnormal range [-745.13, -708.4]', () => {
    for (const xs of [
      uniform(rand, 20_000, -1e-8, 1e-8),
      uniform(rand, 50_000, -1, 1),
      uniform(rand, 50_000, -745.13, -708.4),
      uniform(rand, 20_000, 700, 709.78),
      Array.from({ length: 2001 }, (_, i) => (i - 1000) * Math.LN2 / 2),
    ]) {
      const r = worstUlps('vexp', Math.exp, xs);
      expect(r.worst, `at x = ${r.at}`).toBeLessThanOrEqual(1);
    }
  });
  it('special values: ±Infinity, NaN, ±0, overflow and underflow thresholds', () => {
    const xs = [-Infinity, Infinity, NaN, 0, -0, 709.782712893384, 709.7827128933841, 710, 1e308,
      -745.1332191019411, -745.1332191019412, -745.2, -746, -1e308, Number.MIN_VALUE, -Number.MIN_VALUE];
    const ys = apply('vexp', xs);
    expect(Array.from(ys)).toEqual(xs.map(Math.exp));
    expect(ys[0]).toBe(0);
    expect(ys[1]).toBe(Infinity);
    expect(ys[2]).toBeNaN();
    expect(ys[5]).toBeLessThan(Infinity);
    expect(ys[6]).toBe(Infinity);
    expect(ys[9]).toBe(5e-324);
    expect(ys[10]).toBe(0);
  });
  it('vector body and scalar tail give identical bits', () => {
    const xs = uniform(rand, 999, -745, 709);
    const pairs = apply('vexp', xs);
    for (let i = 0; i < 50; i++) expect(apply('vexp', [xs[i]!])[0]).toBe(pairs[i]);
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
