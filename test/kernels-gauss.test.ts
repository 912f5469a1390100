import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../src/wasm/load.js';
import { testRng } from './helpers/close.js';
import {
  choleskyLowerRef,
  gaussAccumulateDiagRef,
  gaussAccumulateFullRef,
  gaussDiagLogProbRef,
  gaussFullLogProbRef,
  gaussPrecisionCholeskyRef,
} from './reference/gauss.js';

const ws = (await loadRuntime()).sync;

// ───────────────────────────── Adapters ─────────────────────────────
// The only code here that knows the Gaussian kernels' signatures: every test goes through these, taking all k
// components at once (means k×d, precision factors k×d×d / k×d, constants k, responsibilities k×n, outputs
// k×n), so a change of kernel signature touches this block only. Each adapter also checks that the kernel wrote
// nothing past its outputs (a guard band after them) and left its inputs as they were.

/** Work (f64) each kernel documents as its minimum (assembly/kernels/gauss-full.ts), with BS = 64 samples a block. */
const logProbWork = (k: number, d: number) => 2 * d * 64 + k * d + 8;
const accumulateWork = (k: number, d: number) => 2 * d * 64 + 2 * k * d * d + 8;
const GUARD = 16;
const SENTINEL = -1234.5678;

/** Allocates `len` slots holding `init` (or NaN: uninitialised garbage) followed by a guard band. */
function putGuarded(len: number, init?: ArrayLike<number>): number {
  const ptr = ws.alloc(len + GUARD);
  const v = ws.f64(ptr, len + GUARD);
  v.fill(Number.NaN, 0, len);
  if (init) v.set(init);
  v.fill(SENTINEL, len);
  return ptr;
}

function readGuarded(ptr: number, len: number, what: string): Float64Array {
  const v = ws.f64(ptr, len + GUARD);
  for (let g = len; g < len + GUARD; g++) expect(v[g], `${what}: guard slot ${g - len} past the end`).toBe(SENTINEL);
  return Float64Array.from(v.subarray(0, len));
}

function expectUntouched(ptr: number, src: ArrayLike<number>, what: string): void {
  expect(Array.from(ws.f64(ptr, src.length)), `${what} was modified`).toEqual(Array.from(src));
}

/** k×n: out[c*n+i] = cs[c] − ½‖(x_i − μ_c)ᵀU_c‖²; `tied` passes one shared U (d×d) for every component. */
function fullLogProb(
  x: ArrayLike<number>, n: number, d: number, means: ArrayLike<number>, ucs: ArrayLike<number>, cs: ArrayLike<number>, tied = false,
): Float64Array {
  const k = cs.length;
  return ws.scope(() => {
    const xPtr = ws.put(x);
    const meanPtr = ws.put(means);
    const uPtr = ws.put(ucs);
    const csPtr = ws.put(cs);
    const outPtr = putGuarded(k * n);
    const workPtr = putGuarded(logProbWork(k, d));
    ws.k.gaussFullLogProb(xPtr, n, d, k, meanPtr, uPtr, tied ? 0 : d * d, csPtr, outPtr, workPtr);
    expectUntouched(xPtr, x, 'x');
    expectUntouched(meanPtr, means, 'means');
    expectUntouched(uPtr, ucs, 'precision Cholesky factors');
    expectUntouched(csPtr, cs, 'constants');
    readGuarded(workPtr, logProbWork(k, d), 'gaussFullLogProb work');
    return readGuarded(outPtr, k * n, 'gaussFullLogProb');
  });
}

/** k×n: out[c*n+i] = cs[c] − ½ Σ_j prec[c*d+j]·(x_j[i] − μ_cj)². */
function diagLogProb(
  x: ArrayLike<number>, n: number, d: number, means: ArrayLike<number>, precs: ArrayLike<number>, cs: ArrayLike<number>,
): Float64Array {
  const k = cs.length;
  return ws.scope(() => {
    const xPtr = ws.put(x);
    const meanPtr = ws.put(means);
    const precPtr = ws.put(precs);
    const csPtr = ws.put(cs);
    const outPtr = putGuarded(k * n);
    ws.k.gaussDiagLogProb(xPtr, n, d, k, meanPtr, precPtr, csPtr, outPtr);
    expectUntouched(xPtr, x, 'x');
    expectUntouched(meanPtr, means, 'means');
    expectUntouched(precPtr, precs, 'precisions');
    expectUntouched(csPtr, cs, 'constants');
    return readGuarded(outPtr, k * n, 'gaussDiagLogProb');
  });
}

interface Accumulated {
  nk: Float64Array; // k: Σ_i r_ci, added into nkInit
  s1: Float64Array; // k×d, added into s1Init
  s2: Float64Array; // k×d×d (full) or k×d (diag), added into s2Init; empty when not asked for
}

/**
 * Adds Σ r, Σ r·x and Σ r·x·xᵀ (both triangles) for k components of responsibilities resp (k×n) into nkInit
 * (default zeros), s1Init, s2Init.
 */
function accumulateFull(
  x: ArrayLike<number>, n: number, d: number, resp: ArrayLike<number>, s1Init: ArrayLike<number>, s2Init: ArrayLike<number>,
  nkInit?: ArrayLike<number>,
): Accumulated {
  const k = s1Init.length / d;
  return ws.scope(() => {
    const xPtr = ws.put(x);
    const rPtr = ws.put(resp);
    const nkPtr = putGuarded(k, nkInit ?? new Float64Array(k));
    const s1Ptr = putGuarded(k * d, s1Init);
    const s2Ptr = putGuarded(k * d * d, s2Init);
    const workPtr = putGuarded(accumulateWork(k, d));
    ws.k.gaussAccumulateFull(xPtr, n, d, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr);
    expectUntouched(xPtr, x, 'x');
    expectUntouched(rPtr, resp, 'responsibilities');
    readGuarded(workPtr, accumulateWork(k, d), 'gaussAccumulateFull work');
    return { nk: readGuarded(nkPtr, k, 'nk'), s1: readGuarded(s1Ptr, k * d, 's1'), s2: readGuarded(s2Ptr, k * d * d, 's2') };
  });
}

/** Adds Σ r, Σ r·x and Σ r·x² (elementwise) for k components into nkInit, s1Init, s2Init (k×d); s2Init null: no second moments. */
function accumulateDiag(
  x: ArrayLike<number>, n: number, d: number, resp: ArrayLike<number>, s1Init: ArrayLike<number>, s2Init: ArrayLike<number> | null,
  nkInit?: ArrayLike<number>,
): Accumulated {
  const k = s1Init.length / d;
  return ws.scope(() => {
    const xPtr = ws.put(x);
    const rPtr = ws.put(resp);
    const nkPtr = putGuarded(k, nkInit ?? new Float64Array(k));
    const s1Ptr = putGuarded(k * d, s1Init);
    const s2Ptr = s2Init ? putGuarded(k * d, s2Init) : 0;
    ws.k.gaussAccumulateDiag(xPtr, n, d, k, rPtr, nkPtr, s1Ptr, s2Ptr);
    expectUntouched(xPtr, x, 'x');
    expectUntouched(rPtr, resp, 'responsibilities');
    const s2 = s2Init ? readGuarded(s2Ptr, k * d, 's2') : new Float64Array(0);
    return { nk: readGuarded(nkPtr, k, 'nk'), s1: readGuarded(s1Ptr, k * d, 's1'), s2 };
  });
}

/** In-place lower Cholesky of a (d×d); status −1 or the failing pivot; l is the matrix afterwards. */
function choleskyLower(a: ArrayLike<number>, d: number): { status: number; l: Float64Array } {
  return ws.scope(() => {
    const aPtr = putGuarded(d * d, a);
    const status = ws.k.choleskyLower(aPtr, d);
    return { status, l: readGuarded(aPtr, d * d, 'choleskyLower') };
  });
}

/** U with UUᵀ = cov⁻¹ (upper triangular); status −1 or the failing pivot; cov must come back untouched. */
function precisionCholesky(cov: ArrayLike<number>, d: number): { status: number; u: Float64Array } {
  return ws.scope(() => {
    const covPtr = ws.put(cov);
    const outPtr = putGuarded(d * d);
    const workPtr = ws.alloc(d * d);
    const status = ws.k.gaussPrecisionCholesky(covPtr, d, outPtr, workPtr);
    expectUntouched(covPtr, cov, 'cov');
    return { status, u: readGuarded(outPtr, d * d, 'gaussPrecisionCholesky') };
  });
}

// ───────────────────────────── Data and checks ─────────────────────────────

type Rand = () => number;
const uniform = (rand: Rand, lo: number, hi: number) => lo + (hi - lo) * rand();

/** Feature-major x[j*n+i] = scale·(o_j + u), u ∈ [−1, 1], with per-feature offsets o_j ∈ [−2, 2]. */
function features(rand: Rand, n: number, d: number, scale = 1): number[] {
  const off = Array.from({ length: d }, () => uniform(rand, -2, 2));
  const x = new Array<number>(n * d);
  for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) x[j * n + i] = scale * (off[j]! + uniform(rand, -1, 1));
  return x;
}

/** k means, each near the data's centre: scale·u, u ∈ [−2, 2]. */
function randomMeans(rand: Rand, k: number, d: number, scale = 1): number[] {
  return Array.from({ length: k * d }, () => scale * uniform(rand, -2, 2));
}

/** k upper-triangular d×d factors (zeros below the diagonal), diagonal in [0.5, 1.5]/scale, off-diagonal ±1/(scale·√d). */
function randomUppers(rand: Rand, k: number, d: number, scale = 1): number[] {
  const u = new Array<number>(k * d * d).fill(0);
  for (let c = 0; c < k; c++) {
    for (let a = 0; a < d; a++) {
      u[c * d * d + a * d + a] = uniform(rand, 0.5, 1.5) / scale;
      for (let b = a + 1; b < d; b++) u[c * d * d + a * d + b] = uniform(rand, -1, 1) / (scale * Math.sqrt(d));
    }
  }
  return u;
}

/** Responsibilities k×n in [0, 1], every fifth exactly 0 (shifted per component). */
function randomResp(rand: Rand, k: number, n: number): number[] {
  return Array.from({ length: k * n }, (_, q) => (q % 5 === (Math.floor(q / n) % 5) ? 0 : rand()));
}

/** The log-normalising constants: around −d (what log det U − ½d·log 2π + log w is for such factors). */
const randomConsts = (rand: Rand, k: number, d: number) => Array.from({ length: k }, () => -d * uniform(rand, 0.5, 1.5));

/**
 * |got − want| ≤ rtol·bound[q] for every entry; entries the reference makes non-finite must match exactly; no NaN.
 * `bound` is the sum of the absolute values of the terms that make up the entry (see RTOL).
 */
function expectWithin(got: ArrayLike<number>, want: ArrayLike<number>, bound: ArrayLike<number>, rtol: number, what: string): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  // One expect per array (the first offending entry), not per entry: thousands of entries per call.
  for (let q = 0; q < want.length; q++) {
    const g = got[q]!;
    const w = want[q]!;
    const ok = Number.isFinite(w) ? Math.abs(g - w) <= rtol * bound[q]! : Object.is(g, w);
    if (!ok) expect.fail(`${what}[${q}]: got ${g}, expected ${w} (allowed error ${rtol * bound[q]!})`);
  }
}

/** max_q |got[q] − want[q]| ≤ tol, reporting the worst entry. */
function expectAbs(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  let worst = 0;
  let at = -1;
  for (let q = 0; q < want.length; q++) {
    const e = Math.abs(got[q]! - want[q]!);
    if (!(e <= worst)) [worst, at] = [e, q];
  }
  expect(worst, `${what}: worst at ${at} (got ${got[at]}, expected ${want[at]})`).toBeLessThanOrEqual(tol);
}

// Tolerances. Every output is a sum of m rounded products (m ≤ d² for the densities, n for the statistics);
// the kernels sum in tiles, lanes and blocks, the references in plain loops, and any two summation orders
// differ by at most about 2m·2⁻⁵³ × Σ|terms| (Higham's γ_m bound, twice). The bound arrays below are exactly
// those Σ|terms|, so the check is relative where it matters and cannot be swamped by cancellation. With
// m ≤ 64 terms per dot product (and n ≤ 1000 for statistics, where pairwise-by-lane sums do much better than the
// worst case) the worst-case error is ≈ 1e-14–1e-13·Σ|terms|; RTOL = 1e-12 leaves an order of magnitude of
// margin while a wrong index, a skipped tail sample or a stale panel changes an entry by O(1)·Σ|terms|.
const RTOL = 1e-12;

/** Σ|terms| of each full log-density: |c| + ½ Σ_col (Σ_j |x_j − μ_j|·|U_j,col|)². */
function fullBound(x: ArrayLike<number>, n: number, d: number, means: ArrayLike<number>, ucs: ArrayLike<number>, cs: ArrayLike<number>, tied: boolean): Float64Array {
  const k = cs.length;
  const out = new Float64Array(k * n);
  for (let c = 0; c < k; c++) {
    const uo = tied ? 0 : c * d * d;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let col = 0; col < d; col++) {
        let y = 0;
        for (let j = 0; j < d; j++) y += Math.abs(x[j * n + i]! - means[c * d + j]!) * Math.abs(ucs[uo + j * d + col]!);
        s += y * y;
      }
      out[c * n + i] = Math.abs(cs[c]!) + 0.5 * s;
    }
  }
  return out;
}

function fullRef(x: ArrayLike<number>, n: number, d: number, means: number[], ucs: number[], cs: number[], tied: boolean): Float64Array {
  const k = cs.length;
  const out = new Float64Array(k * n);
  for (let c = 0; c < k; c++) {
    const u = tied ? ucs : ucs.slice(c * d * d, (c + 1) * d * d);
    out.set(gaussFullLogProbRef(x, n, d, means.slice(c * d, (c + 1) * d), u, cs[c]!), c * n);
  }
  return out;
}

function diagRef(x: ArrayLike<number>, n: number, d: number, means: number[], precs: number[], cs: number[]): Float64Array {
  const k = cs.length;
  const out = new Float64Array(k * n);
  for (let c = 0; c < k; c++) {
    out.set(gaussDiagLogProbRef(x, n, d, means.slice(c * d, (c + 1) * d), precs.slice(c * d, (c + 1) * d), cs[c]!), c * n);
  }
  return out;
}

function diagBound(x: ArrayLike<number>, n: number, d: number, means: number[], precs: number[], cs: number[]): Float64Array {
  const abs = precs.map(Math.abs);
  const zero = cs.map(() => 0);
  const s = diagRef(x, n, d, means, abs, zero); // −½ Σ |prec|·t²
  return s.map((v, q) => Math.abs(cs[Math.floor(q / n)]!) - v);
}

/** Reference statistics added to the initial values, and their Σ|terms| bounds. */
function accumulateRef(
  kind: 'full' | 'diag', x: ArrayLike<number>, n: number, d: number, resp: number[], s1Init: number[], s2Init: number[],
  nkInit: ArrayLike<number> = new Float64Array(s1Init.length / d),
): { want: Accumulated; bound: Accumulated } {
  const k = s1Init.length / d;
  const m = kind === 'full' ? d * d : d;
  const f = kind === 'full' ? gaussAccumulateFullRef : gaussAccumulateDiagRef;
  const absX = Array.from(x, Math.abs);
  const want: Accumulated = { nk: Float64Array.from(nkInit), s1: Float64Array.from(s1Init), s2: Float64Array.from(s2Init) };
  const bound: Accumulated = { nk: Float64Array.from(nkInit, Math.abs), s1: Float64Array.from(s1Init, Math.abs), s2: Float64Array.from(s2Init, Math.abs) };
  for (let c = 0; c < k; c++) {
    const r = resp.slice(c * n, (c + 1) * n);
    const ref = f(x, n, d, r);
    const mag = f(absX, n, d, r.map(Math.abs));
    want.nk[c] += ref.nk;
    bound.nk[c] += mag.nk;
    for (let q = 0; q < d; q++) {
      want.s1[c * d + q] += ref.s1[q]!;
      bound.s1[c * d + q] += mag.s1[q]!;
    }
    for (let q = 0; q < m; q++) {
      want.s2[c * m + q] += ref.s2[q]!;
      bound.s2[c * m + q] += mag.s2[q]!;
    }
  }
  return { want, bound };
}

function expectAccumulated(got: Accumulated, ref: { want: Accumulated; bound: Accumulated }, what: string): void {
  expectWithin(got.nk, ref.want.nk, ref.bound.nk, RTOL, `${what} Σr`);
  expectWithin(got.s1, ref.want.s1, ref.bound.s1, RTOL, `${what} s1`);
  expectWithin(got.s2, ref.want.s2, ref.bound.s2, RTOL, `${what} s2`);
}

const NS = [1, 2, 3, 5, 63, 64, 65, 129, 1000];
const DS = [1, 2, 3, 4, 5, 7, 8, 16, 17, 64];
const K = 3;

// ───────────────────────────── Log-densities ─────────────────────────────

describe('gaussFullLogProb agrees with the naive reference (block tails in n, tile tails in d)', () => {
  for (const n of NS) {
    for (const d of DS) {
      it(`n=${n}, d=${d}, k=${K}: one factor per component, and one tied factor`, () => {
        const rand = testRng(10_000 + n * 100 + d);
        const x = features(rand, n, d);
        const means = randomMeans(rand, K, d);
        const ucs = randomUppers(rand, K, d);
        const cs = randomConsts(rand, K, d);
        for (const tied of [false, true]) {
          const u = tied ? ucs.slice(0, d * d) : ucs;
          const got = fullLogProb(x, n, d, means, u, cs, tied);
          expectWithin(got, fullRef(x, n, d, means, u, cs, tied), fullBound(x, n, d, means, u, cs, tied), RTOL, tied ? 'tied' : 'full');
        }
      });
    }
  }

  it('tied (one shared U) equals full with that U repeated for every component', () => {
    const rand = testRng(11);
    const n = 129;
    const d = 17;
    const x = features(rand, n, d);
    const means = randomMeans(rand, K, d);
    const u = randomUppers(rand, 1, d);
    const cs = randomConsts(rand, K, d);
    const tied = fullLogProb(x, n, d, means, u, cs, true);
    const repeated = fullLogProb(x, n, d, means, [...u, ...u, ...u], cs, false);
    expectWithin(tied, repeated, fullBound(x, n, d, means, u, cs, true), RTOL, 'tied vs repeated');
    // Different means must still give different rows: the shared factor is not a shared component.
    expect(tied.slice(0, n)).not.toEqual(tied.slice(n, 2 * n));
  });

  for (const [scale, label] of [[1e150, '1e+150'], [1e-150, '1e-150']] as const) {
    it(`data and means near ${label} with U near 1/${label}: finite and relatively exact`, () => {
      for (const [n, d] of [[65, 3], [1000, 17], [129, 64]] as const) {
        const rand = testRng(12 + n + d);
        const x = features(rand, n, d, scale);
        const means = randomMeans(rand, K, d, scale);
        const ucs = randomUppers(rand, K, d, scale);
        const cs = randomConsts(rand, K, d);
        for (const tied of [false, true]) {
          const u = tied ? ucs.slice(0, d * d) : ucs;
          const got = fullLogProb(x, n, d, means, u, cs, tied);
          for (const v of got) expect(Number.isFinite(v), `finite (n=${n}, d=${d})`).toBe(true);
          expectWithin(got, fullRef(x, n, d, means, u, cs, tied), fullBound(x, n, d, means, u, cs, tied), RTOL, `n=${n}, d=${d}`);
        }
      }
    });
  }

  it('c = −Infinity gives −Infinity for every sample of that component only', () => {
    for (const [n, d] of [[1, 1], [5, 3], [65, 17], [130, 8]] as const) {
      const rand = testRng(13 + n);
      const x = features(rand, n, d);
      const means = randomMeans(rand, K, d);
      const ucs = randomUppers(rand, K, d);
      const cs = [-3, -Infinity, -5];
      for (const tied of [false, true]) {
        const u = tied ? ucs.slice(0, d * d) : ucs;
        const got = fullLogProb(x, n, d, means, u, cs, tied);
        for (let i = 0; i < n; i++) {
          expect(got[n + i], `component 1, sample ${i}`).toBe(-Infinity);
          expect(Number.isFinite(got[i]!) && Number.isFinite(got[2 * n + i]!)).toBe(true);
        }
        expectWithin(got, fullRef(x, n, d, means, u, cs, tied), fullBound(x, n, d, means, u, cs, tied), RTOL, `n=${n}, d=${d}`);
      }
    }
  });

  it('a sample at the mean scores exactly c; U = I gives c − ½‖x − μ‖²', () => {
    const d = 5;
    const n = 9;
    const mean = [1, -2, 3, 0.5, -0.25];
    const x = new Array<number>(n * d);
    for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) x[j * n + i] = mean[j]! + (i === 4 ? 0 : i - 4);
    const eye = Array.from({ length: d * d }, (_, q) => (q % (d + 1) === 0 ? 1 : 0));
    const got = fullLogProb(x, n, d, mean, eye, [-7]);
    // ‖x_i − μ‖² = d·(i − 4)², exactly representable.
    expect(Array.from(got)).toEqual(Array.from({ length: n }, (_, i) => -7 - 0.5 * d * (i - 4) ** 2));
  });
});

describe('gaussDiagLogProb agrees with the naive reference', () => {
  for (const n of NS) {
    for (const d of DS) {
      it(`n=${n}, d=${d}, k=${K}`, () => {
        const rand = testRng(20_000 + n * 100 + d);
        const x = features(rand, n, d);
        const means = randomMeans(rand, K, d);
        const precs = Array.from({ length: K * d }, () => uniform(rand, 0.1, 4));
        const cs = randomConsts(rand, K, d);
        const got = diagLogProb(x, n, d, means, precs, cs);
        expectWithin(got, diagRef(x, n, d, means, precs, cs), diagBound(x, n, d, means, precs, cs), RTOL, 'diag');
      });
    }
  }

  it('d ≤ 4 (registers) and d ≥ 5 (blocked loop) give the same bits: one more feature at x = μ changes nothing', () => {
    // A feature with x_j = μ_cj adds (0)²·p = 0 exactly, so d and d + 1 features must agree to the bit; d = 4 → 5
    // crosses from the small-d kernel to the blocked one.
    for (const d of [1, 2, 3, 4]) {
      for (const n of [1, 2, 7, 64, 129]) {
        const rand = testRng(23_000 + 10 * n + d);
        const x = features(rand, n, d);
        const means = randomMeans(rand, K, d);
        const precs = Array.from({ length: K * d }, () => uniform(rand, 0.1, 4));
        const cs = randomConsts(rand, K, d);
        const x5 = [...x, ...new Array<number>(n).fill(0.25)]; // feature-major: the extra feature is the last row
        const means5: number[] = [];
        const precs5: number[] = [];
        for (let c = 0; c < K; c++) {
          means5.push(...means.slice(c * d, (c + 1) * d), 0.25);
          precs5.push(...precs.slice(c * d, (c + 1) * d), uniform(rand, 0.1, 4));
        }
        const a = diagLogProb(x, n, d, means, precs, cs);
        const b = diagLogProb(x5, n, d + 1, means5, precs5, cs);
        expect(Array.from(b), `d=${d}, n=${n}`).toEqual(Array.from(a));
      }
    }
  });

  for (const [scale, label] of [[1e150, '1e+150'], [1e-150, '1e-150']] as const) {
    it(`data near ${label} with precisions near 1/${label}²: finite and relatively exact`, () => {
      for (const [n, d] of [[65, 3], [1000, 17], [129, 64]] as const) {
        const rand = testRng(21 + n + d);
        // Data in scale·[1, 3], means in scale·[−2, −1]: |x − μ| ≥ 2·scale, so no square falls into subnormals.
        const x = Array.from({ length: n * d }, () => scale * uniform(rand, 1, 3));
        const means = Array.from({ length: K * d }, () => scale * uniform(rand, -2, -1));
        const precs = Array.from({ length: K * d }, () => uniform(rand, 0.1, 4) / (scale * scale));
        const cs = randomConsts(rand, K, d);
        const got = diagLogProb(x, n, d, means, precs, cs);
        for (const v of got) expect(Number.isFinite(v)).toBe(true);
        expectWithin(got, diagRef(x, n, d, means, precs, cs), diagBound(x, n, d, means, precs, cs), RTOL, `n=${n}, d=${d}`);
      }
    });
  }

  it('c = −Infinity gives −Infinity for every sample of that component only (8-sample body and tail)', () => {
    for (const n of [1, 7, 8, 9, 65]) {
      const d = 3;
      const rand = testRng(22 + n);
      const x = features(rand, n, d);
      const means = randomMeans(rand, K, d);
      const precs = Array.from({ length: K * d }, () => uniform(rand, 0.1, 4));
      const got = diagLogProb(x, n, d, means, precs, [-Infinity, -2, -Infinity]);
      for (let i = 0; i < n; i++) {
        expect(got[i]).toBe(-Infinity);
        expect(Number.isFinite(got[n + i]!)).toBe(true);
        expect(got[2 * n + i]).toBe(-Infinity);
      }
    }
  });
});

// ───────────────────────────── Sufficient statistics ─────────────────────────────

describe('gaussAccumulateFull / gaussAccumulateDiag add the naive statistics into their outputs', () => {
  for (const n of NS) {
    for (const d of DS) {
      it(`n=${n}, d=${d}, k=${K}: Σr, Σ r·x and Σ r·x·xᵀ added to non-zero starting values`, () => {
        const rand = testRng(30_000 + n * 100 + d);
        const x = features(rand, n, d);
        const resp = randomResp(rand, K, n);
        const nkInit = Array.from({ length: K }, () => uniform(rand, 0, 5));
        const s1Init = Array.from({ length: K * d }, () => uniform(rand, -5, 5));
        const s2Full = Array.from({ length: K * d * d }, () => uniform(rand, -5, 5));
        const s2Diag = Array.from({ length: K * d }, () => uniform(rand, 0, 5));
        expectAccumulated(accumulateFull(x, n, d, resp, s1Init, s2Full, nkInit), accumulateRef('full', x, n, d, resp, s1Init, s2Full, nkInit), 'full');
        expectAccumulated(accumulateDiag(x, n, d, resp, s1Init, s2Diag, nkInit), accumulateRef('diag', x, n, d, resp, s1Init, s2Diag, nkInit), 'diag');
      });
    }
  }

  it('starting from zero, the full second moment is exactly symmetric and its diagonal is the diag statistic', () => {
    for (const [n, d] of [[65, 7], [1000, 17], [129, 64]] as const) {
      const rand = testRng(31 + n + d);
      const x = features(rand, n, d);
      const resp = randomResp(rand, K, n);
      const full = accumulateFull(x, n, d, resp, new Array(K * d).fill(0), new Array(K * d * d).fill(0));
      const diag = accumulateDiag(x, n, d, resp, new Array(K * d).fill(0), new Array(K * d).fill(0));
      const bound = accumulateRef('diag', x, n, d, resp, new Array(K * d).fill(0), new Array(K * d).fill(0)).bound;
      for (let c = 0; c < K; c++) {
        for (let a = 0; a < d; a++) {
          for (let b = 0; b < a; b++) expect(full.s2[c * d * d + a * d + b], `s2[${c}][${a}][${b}]`).toBe(full.s2[c * d * d + b * d + a]);
        }
      }
      const fullDiag = Array.from({ length: K * d }, (_, q) => full.s2[Math.floor(q / d) * d * d + (q % d) * (d + 1)]!);
      expectWithin(fullDiag, diag.s2, bound.s2, RTOL, 'diagonal of full s2 vs diag s2');
      expectWithin(full.s1, diag.s1, bound.s1, RTOL, 's1 full vs diag');
      expectWithin(full.nk, diag.nk, bound.nk, RTOL, 'Σr full vs diag');
    }
  });

  it('statistics add up: accumulating A then B into the same outputs equals accumulating A ∪ B', () => {
    const d = 17;
    const nA = 70;
    const nB = 59;
    const rand = testRng(32);
    const xAB = features(rand, nA + nB, d);
    const rAB = randomResp(rand, K, nA + nB);
    const split = (v: number[], n: number, parts: number, from: number, len: number) =>
      Array.from({ length: parts * len }, (_, q) => v[Math.floor(q / len) * n + from + (q % len)]!);
    const xA = split(xAB, nA + nB, d, 0, nA);
    const xB = split(xAB, nA + nB, d, nA, nB);
    const rA = split(rAB, nA + nB, K, 0, nA);
    const rB = split(rAB, nA + nB, K, nA, nB);
    const z1 = new Array(K * d).fill(0);
    for (const kind of ['full', 'diag'] as const) {
      const acc = kind === 'full' ? accumulateFull : accumulateDiag;
      const z2 = new Array(kind === 'full' ? K * d * d : K * d).fill(0);
      const a = acc(xA, nA, d, rA, z1, z2);
      const ab = acc(xB, nB, d, rB, a.s1, a.s2, a.nk);
      const once = acc(xAB, nA + nB, d, rAB, z1, z2);
      const bound = accumulateRef(kind, xAB, nA + nB, d, rAB, z1, z2).bound;
      expectWithin(ab.s1, once.s1, bound.s1, RTOL, `${kind} s1`);
      expectWithin(ab.s2, once.s2, bound.s2, RTOL, `${kind} s2`);
      expectWithin(ab.nk, once.nk, bound.nk, RTOL, `${kind} Σr`);
    }
  });

  it('zero responsibilities: all-zero r leaves the outputs bit-identical; zero-r samples count as removed', () => {
    for (const [n, d] of [[1, 1], [3, 5], [65, 17], [129, 64]] as const) {
      const rand = testRng(33 + n + d);
      const x = features(rand, n, d, 1e3);
      const s1Init = Array.from({ length: K * d }, () => uniform(rand, -5, 5));
      const s2Full = Array.from({ length: K * d * d }, () => uniform(rand, -5, 5));
      const s2Diag = Array.from({ length: K * d }, () => uniform(rand, 0, 5));
      const nkInit = Array.from({ length: K }, () => uniform(rand, 0, 5));
      const zero = new Array(K * n).fill(0);
      const f = accumulateFull(x, n, d, zero, s1Init, s2Full, nkInit);
      const g = accumulateDiag(x, n, d, zero, s1Init, s2Diag, nkInit);
      expect(Array.from(f.nk)).toEqual(nkInit);
      expect(Array.from(g.nk)).toEqual(nkInit);
      expect(Array.from(f.s1)).toEqual(s1Init);
      expect(Array.from(f.s2)).toEqual(s2Full);
      expect(Array.from(g.s1)).toEqual(s1Init);
      expect(Array.from(g.s2)).toEqual(s2Diag);
    }
    // Keep only the odd samples (r = 0 on even ones) vs the odd samples alone.
    const n = 131;
    const d = 9;
    const rand = testRng(34);
    const x = features(rand, n, d);
    const resp = Array.from({ length: K * n }, (_, q) => ((q % n) % 2 === 1 ? uniform(rand, 0.1, 1) : 0));
    const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === 1);
    const m = keep.length;
    const xKept = Array.from({ length: m * d }, (_, q) => x[Math.floor(q / m) * n + keep[q % m]!]!);
    const rKept = Array.from({ length: K * m }, (_, q) => resp[Math.floor(q / m) * n + keep[q % m]!]!);
    for (const kind of ['full', 'diag'] as const) {
      const acc = kind === 'full' ? accumulateFull : accumulateDiag;
      const z2 = new Array(kind === 'full' ? K * d * d : K * d).fill(0);
      const z1 = new Array(K * d).fill(0);
      const masked = acc(x, n, d, resp, z1, z2);
      const removed = acc(xKept, m, d, rKept, z1, z2);
      const bound = accumulateRef(kind, xKept, m, d, rKept, z1, z2).bound;
      expectWithin(masked.nk, removed.nk, bound.nk, RTOL, `${kind} Σr`);
      expectWithin(masked.s1, removed.s1, bound.s1, RTOL, `${kind} s1`);
      expectWithin(masked.s2, removed.s2, bound.s2, RTOL, `${kind} s2`);
    }
  });

  it('gaussAccumulateDiag without s2 (null pointer) adds Σr and Σ r·x only', () => {
    for (const [n, d] of [[1, 1], [7, 3], [65, 17], [1000, 5]] as const) {
      const rand = testRng(36 + n + d);
      const x = features(rand, n, d);
      const resp = randomResp(rand, K, n);
      const nkInit = Array.from({ length: K }, () => uniform(rand, 0, 5));
      const s1Init = Array.from({ length: K * d }, () => uniform(rand, -5, 5));
      const got = accumulateDiag(x, n, d, resp, s1Init, null, nkInit);
      const ref = accumulateRef('diag', x, n, d, resp, s1Init, new Array(K * d).fill(0), nkInit);
      expectWithin(got.nk, ref.want.nk, ref.bound.nk, RTOL, `n=${n}, d=${d}: Σr`);
      expectWithin(got.s1, ref.want.s1, ref.bound.s1, RTOL, `n=${n}, d=${d}: s1`);
    }
  });

  for (const [scale, label] of [[1e150, '1e+150'], [1e-150, '1e-150']] as const) {
    it(`data near ${label}: second moments near ${label}² stay finite and relatively exact`, () => {
      for (const [n, d] of [[65, 3], [1000, 17], [129, 64]] as const) {
        const rand = testRng(35 + n + d);
        // |x| ∈ scale·[1, 3] and r ∈ [0.05, 1] (zeros aside): r·x_a·x_b stays normal at 1e−150 and finite at 1e+150.
        const x = Array.from({ length: n * d }, () => scale * (rand() < 0.5 ? -1 : 1) * uniform(rand, 1, 3));
        const resp = Array.from({ length: K * n }, (_, q) => (q % 7 === 3 ? 0 : uniform(rand, 0.05, 1)));
        const z1 = new Array(K * d).fill(0);
        const zf = new Array(K * d * d).fill(0);
        const zd = new Array(K * d).fill(0);
        const full = accumulateFull(x, n, d, resp, z1, zf);
        const diag = accumulateDiag(x, n, d, resp, z1, zd);
        for (const v of [...full.s2, ...diag.s2]) expect(Number.isFinite(v) && v !== 0).toBe(true);
        expectAccumulated(full, accumulateRef('full', x, n, d, resp, z1, zf), `full n=${n}, d=${d}`);
        expectAccumulated(diag, accumulateRef('diag', x, n, d, resp, z1, zd), `diag n=${n}, d=${d}`);
      }
    });
  }
});

describe('any number of components per call (k = 1, 2, 5, 9): one kernel call equals k reference passes', () => {
  for (const k of [1, 2, 5, 9]) {
    for (const [n, d] of [[1, 2], [67, 2], [130, 5], [1000, 17]] as const) {
      it(`k=${k}, n=${n}, d=${d}: full, tied and diag log-densities; full and diag statistics`, () => {
        const rand = testRng(60_000 + k * 1000 + n + d);
        const x = features(rand, n, d);
        const means = randomMeans(rand, k, d);
        const ucs = randomUppers(rand, k, d);
        const cs = randomConsts(rand, k, d);
        const precs = Array.from({ length: k * d }, () => uniform(rand, 0.1, 4));
        expectWithin(fullLogProb(x, n, d, means, ucs, cs), fullRef(x, n, d, means, ucs, cs, false), fullBound(x, n, d, means, ucs, cs, false), RTOL, 'full');
        const u = ucs.slice(0, d * d);
        expectWithin(fullLogProb(x, n, d, means, u, cs, true), fullRef(x, n, d, means, u, cs, true), fullBound(x, n, d, means, u, cs, true), RTOL, 'tied');
        expectWithin(diagLogProb(x, n, d, means, precs, cs), diagRef(x, n, d, means, precs, cs), diagBound(x, n, d, means, precs, cs), RTOL, 'diag');
        const resp = randomResp(rand, k, n);
        const nkInit = Array.from({ length: k }, () => uniform(rand, 0, 5));
        const s1Init = Array.from({ length: k * d }, () => uniform(rand, -5, 5));
        const s2Full = Array.from({ length: k * d * d }, () => uniform(rand, -5, 5));
        const s2Diag = Array.from({ length: k * d }, () => uniform(rand, 0, 5));
        expectAccumulated(accumulateFull(x, n, d, resp, s1Init, s2Full, nkInit), accumulateRef('full', x, n, d, resp, s1Init, s2Full, nkInit), 'full');
        expectAccumulated(accumulateDiag(x, n, d, resp, s1Init, s2Diag, nkInit), accumulateRef('diag', x, n, d, resp, s1Init, s2Diag, nkInit), 'diag');
      });
    }
  }
});

// ───────────────────────────── Cholesky ─────────────────────────────

/** A well-conditioned SPD matrix: scale·(BBᵀ/d + I) with B uniform on [−1, 1] (eigenvalues in scale·[1, ≈2.4]). */
function randomSpd(rand: Rand, d: number, scale = 1): number[] {
  const b = Array.from({ length: d * d }, () => uniform(rand, -1, 1));
  const a = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += b[i * d + p]! * b[j * d + p]!;
      const v = scale * (s / d + (i === j ? 1 : 0));
      a[i * d + j] = v;
      a[j * d + i] = v;
    }
  }
  return a;
}

/** A·Bᵀ-style product helper: (M·N)[i][j] for row-major d×d matrices. */
function matmul(m: ArrayLike<number>, nn: ArrayLike<number>, d: number, transposeFirst = false, transposeSecond = false): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += (transposeFirst ? m[p * d + i]! : m[i * d + p]!) * (transposeSecond ? nn[j * d + p]! : nn[p * d + j]!);
      out[i * d + j] = s;
    }
  }
  return out;
}

const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);

/**
 * An indefinite symmetric matrix whose Cholesky factorisation fails exactly at pivot p: A = L·D·Lᵀ with L unit-
 * free lower triangular (diagonal in [1, 2]) and D = I except D_pp = −1, so the leading minors of order ≤ p are
 * positive and pivot p equals −L_pp² < 0.
 */
function failingAt(rand: Rand, d: number, p: number): number[] {
  const l = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) {
    l[i * d + i] = uniform(rand, 1, 2);
    for (let j = 0; j < i; j++) l[i * d + j] = uniform(rand, -1, 1) / Math.sqrt(d);
  }
  const a = new Array<number>(d * d).fill(0);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let q = 0; q <= Math.min(i, j); q++) s += l[i * d + q]! * l[j * d + q]! * (q === p ? -1 : 1);
      a[i * d + j] = s;
    }
  }
  return a;
}

const CHOL_DS = Array.from({ length: 64 }, (_, i) => i + 1);

describe('choleskyLower', () => {
  // LLᵀ reconstructs A to (d + 1)·2⁻⁵³·max|A| in the worst case (backward stability; |L||Lᵀ| ≤ max A_ii for SPD A);
  // with d ≤ 64 that is < 1e-14·max|A|. The factor itself agrees with the reference to κ(A)·that, and κ ≤ 2.4 here.
  for (const scale of [1, 1e150, 1e-150]) {
    it(`random SPD matrices d = 1…64 at scale ${scale}: LLᵀ = A, L lower with positive diagonal, L = reference`, () => {
      const rand = testRng(40 + Math.round(Math.log10(scale)));
      for (const d of CHOL_DS) {
        const a = randomSpd(rand, d, scale);
        const { status, l } = choleskyLower(a, d);
        expect(status, `d=${d}: status`).toBe(-1);
        const diag = Array.from({ length: d }, (_, i) => l[i * d + i]!);
        const upper = Array.from({ length: d * d }, (_, q) => (q % d > Math.floor(q / d) ? l[q]! : 0));
        expect(diag.every((v) => v > 0), `d=${d}: positive diagonal`).toBe(true);
        expect(upper.every((v) => Object.is(v, 0)), `d=${d}: zeros above the diagonal`).toBe(true);
        expectAbs(matmul(l, l, d, false, true), a, 1e-12 * maxAbs(a), `d=${d}: LLᵀ vs A`);
        const ref = choleskyLowerRef(a, d);
        expect(ref.status).toBe(-1);
        expectWithin(l, ref.l, new Float64Array(d * d).fill(maxAbs(ref.l)), 1e-12, `d=${d}: L vs reference`);
      }
    });
  }

  it('an indefinite matrix returns the failing pivot (first, middle, last) and the reference agrees', () => {
    const rand = testRng(43);
    for (const d of [1, 2, 3, 5, 8, 17, 64]) {
      for (const p of new Set([0, Math.floor(d / 2), d - 1])) {
        const a = failingAt(rand, d, p);
        expect(choleskyLower(a, d).status, `d=${d}, p=${p}`).toBe(p);
        expect(choleskyLowerRef(a, d).status, `reference d=${d}, p=${p}`).toBe(p);
      }
    }
  });

  it('singular, zero, NaN and infinite input return a pivot instead of trapping, and the module still works', () => {
    const cases: [string, number[], number, number][] = [
      ['[[1,1],[1,1]] (exact zero pivot)', [1, 1, 1, 1], 2, 1],
      ['zero 3×3', new Array(9).fill(0), 3, 0],
      ['negative 1×1', [-2], 1, 0],
      ['NaN on the diagonal at 2', [4, 1, 0, 0, 1, 3, 0, 0, 0, 0, Number.NaN, 0, 0, 0, 0, 1], 4, 2],
      ['NaN below the diagonal at (3, 1)', [4, 1, 0, 0, 1, 3, 0, Number.NaN, 0, 0, 2, 0, 0, Number.NaN, 0, 1], 4, 3],
      ['+Infinity at (0, 0)', [Infinity, 0, 0, 1], 2, 0],
      ['−Infinity at (1, 1)', [1, 0, 0, -Infinity], 2, 1],
      ['Infinity below the diagonal (pivot becomes −Infinity)', [1, Infinity, Infinity, 1], 2, 1],
    ];
    for (const [what, a, d, pivot] of cases) {
      expect(choleskyLower(a, d).status, what).toBe(pivot);
      expect(choleskyLowerRef(a, d).status, `reference: ${what}`).toBe(pivot);
      expect(precisionCholesky(a, d).status, `gaussPrecisionCholesky: ${what}`).toBe(pivot);
    }
    expect(choleskyLower([4, 2, 2, 5], 2)).toEqual({ status: -1, l: Float64Array.from([2, 0, 1, 2]) });
  });
});

describe('gaussPrecisionCholesky (scikit-learn precisions_cholesky_)', () => {
  // UᵀΣU − I is within ≈ κ(Σ)·d·2⁻⁵³ of zero for a backward-stable factor and triangular solve; κ ≤ 2.4, d ≤ 64.
  for (const scale of [1, 1e150, 1e-150]) {
    it(`random SPD Σ, d = 1…64 at scale ${scale}: UᵀΣU = I, U upper with positive diagonal, U = reference, Σ untouched`, () => {
      const rand = testRng(50 + Math.round(Math.log10(scale)));
      for (const d of CHOL_DS) {
        const cov = randomSpd(rand, d, scale);
        const { status, u } = precisionCholesky(cov, d);
        expect(status, `d=${d}: status`).toBe(-1);
        const diag = Array.from({ length: d }, (_, i) => u[i * d + i]!);
        const lower = Array.from({ length: d * d }, (_, q) => (q % d < Math.floor(q / d) ? u[q]! : 0));
        expect(diag.every((v) => v > 0), `d=${d}: positive diagonal`).toBe(true);
        expect(lower.every((v) => Object.is(v, 0)), `d=${d}: zeros below the diagonal`).toBe(true);
        const eye = Array.from({ length: d * d }, (_, q) => (q % (d + 1) === 0 ? 1 : 0));
        expectAbs(matmul(matmul(u, cov, d, true), u, d), eye, 1e-12, `d=${d}: UᵀΣU vs I`);
        const ref = gaussPrecisionCholeskyRef(cov, d);
        expectWithin(u, ref.u, new Float64Array(d * d).fill(maxAbs(ref.u)), 1e-12, `d=${d}: U vs reference`);
      }
    });
  }

  it('an indefinite Σ returns the same failing pivot as choleskyLower', () => {
    const rand = testRng(53);
    for (const d of [1, 2, 5, 17, 64]) {
      for (const p of new Set([0, Math.floor(d / 3), d - 1])) {
        const a = failingAt(rand, d, p);
        expect(precisionCholesky(a, d).status, `d=${d}, p=${p}`).toBe(p);
      }
    }
  });

  it('U from gaussPrecisionCholesky in gaussFullLogProb gives −½(x − μ)ᵀΣ⁻¹(x − μ) (Σ⁻¹ from the reference factor)', () => {
    const rand = testRng(54);
    const n = 67;
    for (const d of [1, 4, 17]) {
      const cov = randomSpd(rand, d);
      const { u } = precisionCholesky(cov, d);
      const x = features(rand, n, d);
      const mean = randomMeans(rand, 1, d);
      const got = fullLogProb(x, n, d, mean, u, [0]);
      // Mahalanobis distance from the reference factor: z = L⁻¹(x − μ) by forward substitution, ‖z‖².
      const { l } = choleskyLowerRef(cov, d);
      for (let i = 0; i < n; i++) {
        const z = new Float64Array(d);
        let m2 = 0;
        for (let a = 0; a < d; a++) {
          let s = x[a * n + i]! - mean[a]!;
          for (let b = 0; b < a; b++) s -= l[a * d + b]! * z[b]!;
          z[a] = s / l[a * d + a]!;
          m2 += z[a]! * z[a]!;
        }
        expect(Math.abs(got[i]! + 0.5 * m2), `sample ${i}, d=${d}`).toBeLessThanOrEqual(1e-12 * Math.max(1, 0.5 * m2));
      }
    }
  });
});
