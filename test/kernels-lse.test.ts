import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../src/wasm/load.js';
import { testRng } from './helpers/close.js';
import { logSumExpNormalizeRef } from './reference/lse.js';

const ws = (await loadRuntime()).sync;

/** Runs logSumExpNormalize on a copy of logp; lse is read back only when wantLse. */
function kernel(logp: ArrayLike<number>, n: number, k: number, sw?: ArrayLike<number>, wantLse = true) {
  return ws.scope(() => {
    const logpPtr = ws.put(logp);
    const swPtr = sw ? ws.put(sw) : 0;
    const lsePtr = wantLse ? ws.alloc(n) : 0;
    const total = ws.k.logSumExpNormalize(logpPtr, n, k, swPtr, lsePtr);
    return {
      resp: Float64Array.from(ws.f64(logpPtr, n * k)),
      lse: wantLse ? Float64Array.from(ws.f64(lsePtr, n)) : undefined,
      total,
    };
  });
}

/** |a − e| ≤ rtol·|e| elementwise; infinities and exact zeros must match exactly; no NaN anywhere. */
function expectRel(a: ArrayLike<number>, e: ArrayLike<number>, rtol: number, what: string): void {
  expect(a.length, `${what}: length`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const ai = a[i]!;
    const ei = e[i]!;
    expect(Number.isNaN(ai), `${what}[${i}] is NaN`).toBe(false);
    if (!Number.isFinite(ei) || ei === 0) expect(ai, `${what}[${i}]`).toBe(ei);
    else expect(Math.abs(ai - ei), `${what}[${i}]: got ${ai}, expected ${ei}`).toBeLessThanOrEqual(rtol * Math.abs(ei));
  }
}

/** k×n component-major log-probabilities, uniform on [lo, hi]. */
function randomLogp(rand: () => number, n: number, k: number, lo = -60, hi = 5): number[] {
  return Array.from({ length: n * k }, () => lo + (hi - lo) * rand());
}

function randomWeights(rand: () => number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i % 5 === 3 ? 0 : 0.1 + 3 * rand()));
}

// The kernel's exp/log are within 1 ULP of Math's; responsibilities are e_c·(sw/s) against the reference's
// sw·exp(l_c − lse), which differ by a few ULP plus |lse|·2^-52 (the reference's rounding of l_c − lse): 1e-13.
const RTOL = 1e-13;

describe('logSumExpNormalize agrees with a naive Math.exp/Math.log reference', () => {
  const shapes: [number, number][] = [[1, 1], [1, 3], [3, 1], [2, 2], [7, 4], [1001, 8], [1000, 5], [101, 17], [9, 6], [10, 7], [33, 9]];
  for (const [n, k] of shapes) {
    for (const weighted of [false, true]) {
      it(`n=${n}, k=${k}${weighted ? ', weighted (zeros included)' : ''}`, () => {
        const rand = testRng(n * 31 + k + (weighted ? 7 : 0));
        const logp = randomLogp(rand, n, k);
        const sw = weighted ? randomWeights(rand, n) : undefined;
        const got = kernel(logp, n, k, sw);
        const ref = logSumExpNormalizeRef(logp, n, k, sw);
        expectRel(got.resp, ref.resp, RTOL, 'resp');
        expectRel(got.lse!, ref.lse, 1e-14, 'lse');
        expect(Math.abs(got.total - ref.total)).toBeLessThanOrEqual(RTOL * Math.abs(ref.total));
      });
    }
  }

  it('responsibilities sum to 1 per sample (to sw_i when weighted)', () => {
    const rand = testRng(3);
    const n = 501;
    const k = 6;
    const sw = randomWeights(rand, n);
    const { resp } = kernel(randomLogp(rand, n, k, -700, 700), n, k, sw, false);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += resp[c * n + i]!;
      expect(Math.abs(s - sw[i]!)).toBeLessThanOrEqual(4e-16 * k * sw[i]!);
    }
  });

  it('without lsePtr (the pivot: shift by logp_0, e_0 = 1) responsibilities and total agree with the reference', () => {
    // Without lse out the kernel shifts by the first component's log-probability when every sample of a pair is
    // within 660 of its maximum (one exp fewer), and sums ln s_i as ln Π s_i (a running mantissa and exponent);
    // both paths stay within RTOL of the reference and of each other.
    for (const [n, k] of [[33, 3], [1, 4], [2, 1], [1001, 8], [4000, 5], [301, 6], [77, 9]] as const) {
      for (const [lo, hi] of [[-60, 5], [-30, 0], [-650, 5]] as const) { // no subnormal responsibilities (relative checks)
        const rand = testRng(4 + n + lo);
        const logp = randomLogp(rand, n, k, lo, hi);
        const a = kernel(logp, n, k, undefined, true);
        const b = kernel(logp, n, k, undefined, false);
        const ref = logSumExpNormalizeRef(logp, n, k);
        expectRel(b.resp, ref.resp, RTOL, `resp n=${n}, k=${k}, [${lo}, ${hi}]`);
        expectRel(b.resp, a.resp, RTOL, `resp vs lse-out path n=${n}, k=${k}`);
        expect(Math.abs(b.total - ref.total), `n=${n}, k=${k}`).toBeLessThanOrEqual(RTOL * Math.abs(ref.total));
        expect(Math.abs(b.total - a.total), `n=${n}, k=${k}`).toBeLessThanOrEqual(RTOL * Math.abs(ref.total));
      }
    }
  });

  it('the pivot near its limit: logp_0 up to 660 below the maximum, and just beyond it', () => {
    // m − logp_0 < 660 pivots (s up to ~k·e^660, exp arguments up to 660); ≥ 660 shifts by the maximum. Either
    // way the responsibilities sum to 1 and match the reference, with no overflow.
    for (const gap of [0, 100, 600, 659.9, 660, 660.1, 700, 1e4]) {
      const rand = testRng(7 + gap);
      const n = 37;
      const k = 5;
      const logp = randomLogp(rand, n, k, -3, 3);
      for (let i = 0; i < n; i++) logp[i] = logp[n + i]! - gap; // component 0 `gap` below component 1
      const got = kernel(logp, n, k, undefined, false);
      const ref = logSumExpNormalizeRef(logp, n, k);
      expectRel(got.resp, ref.resp, RTOL, `resp, gap ${gap}`);
      expect(Math.abs(got.total - ref.total), `gap ${gap}`).toBeLessThanOrEqual(RTOL * Math.abs(ref.total));
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let c = 0; c < k; c++) sum += got.resp[c * n + i]!;
        expect(Math.abs(sum - 1), `gap ${gap}, sample ${i}`).toBeLessThanOrEqual(4e-16 * k);
      }
    }
  });

  it('without lsePtr, an all −∞ sample makes the total −∞ and leaves the others normalised', () => {
    const rand = testRng(41);
    const n = 9;
    const k = 3;
    const logp = randomLogp(rand, n, k);
    for (let c = 0; c < k; c++) logp[c * n + 4] = -Infinity;
    const b = kernel(logp, n, k, undefined, false);
    const ref = logSumExpNormalizeRef(logp, n, k);
    expect(b.total).toBe(-Infinity);
    expectRel(b.resp, ref.resp, RTOL, 'resp');
  });

  it('one more component at −∞ changes no bit (k ≤ 6 run in registers, k ≥ 7 through memory: the same operations)', () => {
    // exp(−∞) = 0 adds exactly nothing to s and the max is unchanged, so k and k + 1 components must agree to the
    // bit; k = 6 → 7 crosses from the register specialisations to the loop over components.
    for (const k of [1, 2, 3, 4, 5, 6, 7]) {
      for (const weighted of [false, true]) {
        const rand = testRng(90 + k);
        const n = 37;
        const logp = randomLogp(rand, n, k, -3, 1); // close values: every component's exp reaches s's last bits
        for (let i = 0; i < n; i += 6) logp[i] = 600; // and some far apart
        const sw = weighted ? randomWeights(rand, n) : undefined;
        const a = kernel(logp, n, k, sw);
        const b = kernel([...logp, ...new Array<number>(n).fill(-Infinity)], n, k + 1, sw);
        expect(Array.from(b.resp.subarray(0, n * k)), `k=${k}`).toEqual(Array.from(a.resp));
        expect(Array.from(b.lse!), `k=${k}`).toEqual(Array.from(a.lse!));
        expect(b.total, `k=${k}`).toBe(a.total);
        const c = kernel(logp, n, k, sw, false);
        const d = kernel([...logp, ...new Array<number>(n).fill(-Infinity)], n, k + 1, sw, false);
        expect(d.total, `k=${k}, no lse out`).toBe(c.total);
      }
    }
  });

  it('log-probabilities of magnitude 1e4 (the reference, not the kernel, limits the tolerance)', () => {
    // The reference's l_c − lse carries an absolute error ≈ |lse|·2^-53 ≈ 1e-12, so its responsibilities are only
    // good to ~1e-12 relative; the kernel's e_c/s does not involve lse.
    const rand = testRng(5);
    const n = 257;
    const k = 4;
    const logp = randomLogp(rand, n, k, -2e4, -1e4 - 20);
    for (let i = 0; i < n; i++) logp[i] = logp[n + i]! + 3 * rand(); // components close enough to share mass
    const got = kernel(logp, n, k);
    const ref = logSumExpNormalizeRef(logp, n, k);
    expectRel(got.resp, ref.resp, 2e4 * 2 ** -52 * 8, 'resp');
    expectRel(got.lse!, ref.lse, 1e-15, 'lse');
  });
});

describe('logSumExpNormalize with −∞ log-probabilities', () => {
  // Pattern per sample: 0 = finite, 1 = one component −∞, 2 = all but one −∞, 3 = all −∞.
  function withInfinities(rand: () => number, n: number, k: number): number[] {
    const logp = randomLogp(rand, n, k);
    for (let i = 0; i < n; i++) {
      const pattern = i % 4;
      for (let c = 0; c < k; c++) {
        const drop = pattern === 1 ? c === i % k : pattern === 2 ? c !== i % k : pattern === 3;
        if (drop) logp[c * n + i] = -Infinity;
      }
    }
    return logp;
  }
  for (const [n, k] of [[1, 1], [4, 1], [7, 3], [1001, 8], [9, 2]] as [number, number][]) {
    it(`n=${n}, k=${k}: −∞ components get exactly 0, all-−∞ samples lse = −∞ and no NaN`, () => {
      const rand = testRng(n + 100 * k);
      const logp = withInfinities(rand, n, k);
      const got = kernel(logp, n, k);
      const ref = logSumExpNormalizeRef(logp, n, k);
      expectRel(got.resp, ref.resp, RTOL, 'resp');
      expectRel(got.lse!, ref.lse, 1e-14, 'lse');
      for (let i = 0; i < n * k; i++) if (logp[i] === -Infinity) expect(got.resp[i]).toBe(0);
      for (let i = 3; i < n; i += 4) {
        expect(got.lse![i]).toBe(-Infinity);
        for (let c = 0; c < k; c++) expect(got.resp[c * n + i]).toBe(0);
      }
      expect(got.total).toBe(n > 3 ? -Infinity : ref.total);
    });
  }

  it('an all −∞ sample with weight 0 adds nothing to the total', () => {
    const n = 3;
    const logp = [-Infinity, -1, -2, -Infinity, -3, -0.5];
    const sw = [0, 1, 2];
    const got = kernel(logp, n, 2, sw);
    const ref = logSumExpNormalizeRef(logp, n, 2, sw);
    expect(got.lse![0]).toBe(-Infinity);
    expect(got.resp[0]).toBe(0);
    expect(got.resp[3]).toBe(0);
    expect(Number.isFinite(got.total)).toBe(true);
    expect(Math.abs(got.total - ref.total)).toBeLessThanOrEqual(RTOL * Math.abs(ref.total));
  });

  it('a single −∞ component (k = 1) gives lse −∞ and responsibility 0, finite ones responsibility 1', () => {
    const got = kernel([-Infinity, -3, -Infinity, 0, 700], 5, 1);
    expect(Array.from(got.resp)).toEqual([0, 1, 0, 1, 1]);
    expect(Array.from(got.lse!)).toEqual([-Infinity, -3, -Infinity, 0, 700]);
    expect(got.total).toBe(-Infinity);
  });
});
