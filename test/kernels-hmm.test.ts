import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../src/wasm/load.js';
import { expectClose, testRng } from './helpers/close.js';
import { bruteForceRef, forwardBackwardRef, viterbiRef } from './reference/hmm.js';

const ws = (await loadRuntime()).sync;

const padded = (k: number): number => (k + 1) & ~1;
/** Work sizes stated in assembly/kernels/hmm.ts. */
const fbWork = (t: number, k: number): number => 2 * t * padded(k) + t + 3 * padded(k) ** 2 + 4 * padded(k);
const viterbiWork = (t: number, k: number): number => padded(k) ** 2 + 2 * padded(k) + Math.ceil((t * padded(k)) / 2);

interface FbOptions {
  gamma?: boolean;
  xi?: boolean;
  /** Initial contents of xi (the kernel adds to it); zeros by default. */
  xiInit?: ArrayLike<number>;
}

/** Runs hmmForwardBackward; the work area is filled with NaN first so that a read of unwritten work shows. */
function forwardBackward(
  logB: ArrayLike<number>,
  t: number,
  k: number,
  start: ArrayLike<number>,
  trans: ArrayLike<number>,
  { gamma = true, xi = true, xiInit }: FbOptions = {},
) {
  return ws.scope(() => {
    const logBPtr = ws.put(logB);
    const startPtr = ws.put(start);
    const transPtr = ws.put(trans);
    const gammaPtr = gamma ? ws.put(new Float64Array(k * t).fill(NaN)) : 0;
    const xiPtr = xi ? ws.put(xiInit ?? new Float64Array(k * k)) : 0;
    const workPtr = ws.put(new Float64Array(fbWork(t, k)).fill(NaN));
    const logLik = ws.k.hmmForwardBackward(logBPtr, t, k, startPtr, transPtr, gammaPtr, xiPtr, workPtr);
    return {
      logLik,
      gamma: gamma ? Float64Array.from(ws.f64(gammaPtr, k * t)) : undefined,
      xi: xi ? Float64Array.from(ws.f64(xiPtr, k * k)) : undefined,
    };
  });
}

function viterbi(logB: ArrayLike<number>, t: number, k: number, logStart: ArrayLike<number>, logTrans: ArrayLike<number>) {
  return ws.scope(() => {
    const logBPtr = ws.put(logB);
    const logStartPtr = ws.put(logStart);
    const logTransPtr = ws.put(logTrans);
    const statesPtr = ws.alloc(Math.ceil(t / 2));
    const workPtr = ws.put(new Float64Array(viterbiWork(t, k)).fill(NaN));
    const logProb = ws.k.hmmViterbi(logBPtr, t, k, logStartPtr, logTransPtr, statesPtr, workPtr);
    return { logProb, states: Int32Array.from(ws.i32(statesPtr, t)) };
  });
}

/** A random row-stochastic k×k matrix; entries listed in `zeros` (flat indices) are structural zeros. */
function randomStochastic(rand: () => number, rows: number, k: number, zeros: number[] = []): number[] {
  const m = Array.from({ length: rows * k }, () => 0.05 + rand());
  for (const z of zeros) m[z] = 0;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += m[i * k + j]!;
    for (let j = 0; j < k; j++) m[i * k + j]! /= s;
  }
  return m;
}

function randomLogB(rand: () => number, t: number, k: number, lo = -30, hi = 5): number[] {
  return Array.from({ length: k * t }, () => lo + (hi - lo) * rand());
}

const rel = (a: number, e: number): number => Math.abs(a - e) / Math.abs(e);

function expectNoNaN(v: ArrayLike<number> | undefined, what: string): void {
  for (let i = 0; i < (v?.length ?? 0); i++) expect(Number.isNaN(v![i]), `${what}[${i}] is NaN`).toBe(false);
}

/** Checks the kernels against a reference: log-likelihood, γ (and Σ_s γ = 1), ξ sums, Viterbi path and log prob. */
function checkAgainst(
  logB: number[],
  t: number,
  k: number,
  start: number[],
  trans: number[],
  ref: { logLik: number; gamma: Float64Array; xi: Float64Array },
  best: { logProb: number; states: Int32Array } | undefined,
  rtol = 1e-12,
): void {
  const got = forwardBackward(logB, t, k, start, trans);
  expectNoNaN(got.gamma, 'gamma');
  expectNoNaN(got.xi, 'xi');
  expect(rel(got.logLik, ref.logLik), `logLik ${got.logLik} vs ${ref.logLik}`).toBeLessThanOrEqual(rtol);
  expectClose(got.gamma, ref.gamma, rtol * 10, 'gamma', 1e-9);
  expectClose(got.xi, ref.xi, rtol * 10, 'xi', 1e-9);
  for (let tau = 0; tau < t; tau++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += got.gamma![c * t + tau]!;
    expect(Math.abs(s - 1), `Σ_s γ_${tau}(s)`).toBeLessThanOrEqual(1e-12);
  }
  const only = forwardBackward(logB, t, k, start, trans, { gamma: false, xi: false });
  expect(only.logLik, 'log-likelihood alone').toBe(got.logLik);
  if (best) {
    const v = viterbi(logB, t, k, start.map(Math.log), trans.map(Math.log));
    expect(Array.from(v.states), 'Viterbi path').toEqual(Array.from(best.states));
    expect(v.logProb, 'Viterbi log prob').toBe(best.logProb);
  }
}

describe('hmmForwardBackward and hmmViterbi agree with brute-force enumeration of all state paths', () => {
  for (let k = 1; k <= 3; k++) {
    for (let t = 1; t <= 7; t++) {
      it(`k=${k}, t=${t}`, () => {
        const rand = testRng(100 * k + t);
        const start = randomStochastic(rand, 1, k);
        const trans = randomStochastic(rand, k, k);
        const logB = randomLogB(rand, t, k);
        const brute = bruteForceRef(logB, t, k, start, trans);
        checkAgainst(logB, t, k, start, trans, brute, brute.best);
        // The log-space reference agrees with enumeration too.
        const lr = forwardBackwardRef(logB, t, k, start, trans);
        expect(rel(lr.logLik, brute.logLik)).toBeLessThanOrEqual(1e-13);
        expectClose(lr.gamma, brute.gamma, 1e-12, 'reference gamma', 1e-9);
      });
    }
  }

  it('structural zeros in start and trans (k=3, t=6)', () => {
    const rand = testRng(77);
    const start = randomStochastic(rand, 1, 3, [2]);
    const trans = randomStochastic(rand, 3, 3, [1, 2, 5, 6]); // 0→{1,2}, 1→2, 2→0 forbidden
    const logB = randomLogB(rand, 6, 3);
    const brute = bruteForceRef(logB, 6, 3, start, trans);
    expect(brute.logLik).toBeGreaterThan(-Infinity);
    checkAgainst(logB, 6, 3, start, trans, brute, brute.best);
    const got = forwardBackward(logB, 6, 3, start, trans);
    for (const z of [1, 2, 5, 6]) expect(got.xi![z], `xi[${z}] of a forbidden transition`).toBe(0);
  });
});

describe('the Wikipedia weather HMM (Rainy=0, Sunny=1; walk, shop, clean)', () => {
  const start = [0.6, 0.4];
  const trans = [0.7, 0.3, 0.4, 0.6];
  const emission = [
    [0.1, 0.4, 0.5],
    [0.6, 0.3, 0.1],
  ];
  const obs = [0, 1, 2];
  const t = obs.length;
  const logB = [0, 1].flatMap((s) => obs.map((o) => Math.log(emission[s]![o]!)));

  it('Viterbi path is [Sunny, Rainy, Rainy] with probability 0.01344', () => {
    const v = viterbi(logB, t, 2, start.map(Math.log), trans.map(Math.log));
    expect(Array.from(v.states)).toEqual([1, 0, 0]);
    expect(rel(Math.exp(v.logProb), 0.01344)).toBeLessThanOrEqual(1e-13);
  });

  it('likelihood 0.033612 and posteriors match enumeration', () => {
    const got = forwardBackward(logB, t, 2, start, trans);
    // Σ over the 8 paths, by hand: P(walk, shop, clean) = 0.033612.
    expect(rel(Math.exp(got.logLik), 0.033612)).toBeLessThanOrEqual(1e-13);
    const brute = bruteForceRef(logB, t, 2, start, trans);
    expectClose(got.gamma, brute.gamma, 1e-13, 'gamma');
    expectClose(got.xi, brute.xi, 1e-13, 'xi');
  });
});

describe('odd and even state counts against the log-space reference', () => {
  // k ≤ 8 runs the register-resident recursions, k ≥ 9 the general loops.
  for (const k of [1, 2, 3, 4, 5, 6, 7, 8, 9, 12]) {
    for (const t of [1, 2, 64, 201]) {
      it(`k=${k}, t=${t}`, () => {
        const rand = testRng(1000 * k + t);
        const start = randomStochastic(rand, 1, k);
        const trans = randomStochastic(rand, k, k);
        const logB = randomLogB(rand, t, k, -80, 10);
        const ref = forwardBackwardRef(logB, t, k, start, trans);
        checkAgainst(logB, t, k, start, trans, ref, viterbiRef(logB, t, k, start.map(Math.log), trans.map(Math.log)), 1e-11);
      });
    }
  }

  it('structural zeros: a left-right chain (k=5, t=300)', () => {
    const k = 5;
    const t = 300;
    const rand = testRng(5150);
    const zeros: number[] = [];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (j < i || j > i + 1) zeros.push(i * k + j);
    const trans = randomStochastic(rand, k, k, zeros);
    const start = [1, 0, 0, 0, 0];
    const logB = randomLogB(rand, t, k, -20, 0);
    const ref = forwardBackwardRef(logB, t, k, start, trans);
    checkAgainst(logB, t, k, start, trans, ref, viterbiRef(logB, t, k, start.map(Math.log), trans.map(Math.log)), 1e-11);
  });

  it('an observation fitting only an unreachable state by 900 nats stays finite (scale rescue)', () => {
    // Left-right k=3: at τ=1 state 2 is still unreachable but has logB 0 while the reachable ones have −900
    // and −905, so the plain shift max_s logB would make c_τ underflow to 0.
    const k = 3;
    const t = 8;
    const start = [1, 0, 0];
    const trans = [0.6, 0.4, 0, 0, 0.7, 0.3, 0, 0, 1];
    const rand = testRng(31);
    const logB = randomLogB(rand, t, k, -5, 0);
    logB[0 * t + 1] = -900;
    logB[1 * t + 1] = -905;
    logB[2 * t + 1] = 0;
    const brute = bruteForceRef(logB, t, k, start, trans);
    expect(brute.logLik).toBeGreaterThan(-Infinity);
    checkAgainst(logB, t, k, start, trans, brute, brute.best);
  });

  it('scale rescue on the general path (k=10 left-right, an unreachable state fits best by 900 nats)', () => {
    const k = 10;
    const t = 12;
    const start = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const zeros: number[] = [];
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (j < i || j > i + 1) zeros.push(i * k + j);
    const rand = testRng(32);
    const trans = randomStochastic(rand, k, k, zeros);
    const logB = randomLogB(rand, t, k, -5, 0);
    logB[0 * t + 1] = -900;
    logB[1 * t + 1] = -905;
    for (let s = 2; s < k; s++) logB[s * t + 1] = 0;
    const ref = forwardBackwardRef(logB, t, k, start, trans);
    expect(ref.logLik).toBeGreaterThan(-Infinity);
    checkAgainst(logB, t, k, start, trans, ref, viterbiRef(logB, t, k, start.map(Math.log), trans.map(Math.log)), 1e-11);
  });

  // τ = 1 fits only state 1, reachable with probability `tiny`, so c_1 ≈ tiny.
  const tinyCase = (tiny: number) => {
    const k = 2;
    const t = 6;
    const rand = testRng(33);
    const logB = randomLogB(rand, t, k, -3, 0);
    logB[0 * t + 1] = -1000;
    logB[1 * t + 1] = 0;
    return { k, t, logB, start: [1, 0], trans: [1, tiny, 0.5, 0.5] };
  };

  it('a rescued step through a 1e−305 transition: likelihood, posteriors and Viterbi exact', () => {
    const { k, t, logB, start, trans } = tinyCase(1e-305);
    const brute = bruteForceRef(logB, t, k, start, trans);
    expect(brute.logLik).toBeGreaterThan(-Infinity);
    checkAgainst(logB, t, k, start, trans, brute, brute.best);
  });

  it('a rescued step through a subnormal (1e−310) transition: the likelihood stays exact (step rescaled by 2^600)', () => {
    // The backward pass cannot represent B̃/s ≈ 1/1e−310 here (a documented limit of scaled forward–backward);
    // the forward pass, and so score(), rescales the step instead of taking log of a subnormal scale.
    const { k, t, logB, start, trans } = tinyCase(1e-310);
    const brute = bruteForceRef(logB, t, k, start, trans);
    const got = forwardBackward(logB, t, k, start, trans, { gamma: false, xi: false });
    expect(Math.abs(got.logLik - brute.logLik)).toBeLessThanOrEqual(1e-12 * Math.abs(brute.logLik));
  });

  it('adds ξ into xi rather than overwriting it', () => {
    const k = 3;
    const t = 40;
    const rand = testRng(9);
    const start = randomStochastic(rand, 1, k);
    const trans = randomStochastic(rand, k, k);
    const logB = randomLogB(rand, t, k);
    const init = Array.from({ length: k * k }, (_, i) => i + 0.5);
    const fresh = forwardBackward(logB, t, k, start, trans).xi!;
    const added = forwardBackward(logB, t, k, start, trans, { xiInit: init }).xi!;
    expectClose(added, init.map((v, i) => v + fresh[i]!), 1e-15, 'xi');
    let total = 0;
    for (const v of fresh) total += v;
    expect(Math.abs(total - (t - 1))).toBeLessThanOrEqual(1e-12 * t);
  });

  it('γ alone and ξ alone match the full call', () => {
    const k = 5;
    const t = 33;
    const rand = testRng(10);
    const start = randomStochastic(rand, 1, k);
    const trans = randomStochastic(rand, k, k);
    const logB = randomLogB(rand, t, k);
    const full = forwardBackward(logB, t, k, start, trans);
    const g = forwardBackward(logB, t, k, start, trans, { xi: false });
    const x = forwardBackward(logB, t, k, start, trans, { gamma: false });
    expect(g.gamma).toEqual(full.gamma);
    expect(x.xi).toEqual(full.xi);
    expect(g.logLik).toBe(full.logLik);
    expect(x.logLik).toBe(full.logLik);
  });
});

describe('hard cases', () => {
  it('t = 200 000, k = 4, log-densities spanning −1e8..0: finite, equal to the log-space reference', () => {
    const k = 4;
    const t = 200_000;
    const rand = testRng(2024);
    const start = randomStochastic(rand, 1, k);
    const trans = randomStochastic(rand, k, k);
    // Values on a 2^-20 grid, so that adding the outlier shifts below is exact (|sums| < 2^33).
    const grid = (x: number): number => Math.round(x * 2 ** 20) / 2 ** 20;
    const base = new Float64Array(k * t);
    for (let i = 0; i < k * t; i++) base[i] = grid(-50 * rand());
    // Every 89th step one state is off by up to 1e8 from the others (B̃ = 0 for it, or for all the others).
    for (let tau = 3; tau < t; tau += 89) base[Math.floor(rand() * k) * t + tau] = grid(-1e8 * rand());
    // Every 97th step an outlier far from every state: all log-densities shifted by the same −5e7..−1e8.
    const logB = Float64Array.from(base);
    for (let tau = 5; tau < t; tau += 97) {
      const shift = grid(-1e8 * (0.5 + 0.5 * rand()));
      for (let s = 0; s < k; s++) logB[s * t + tau] += shift;
    }
    const got = forwardBackward(logB, t, k, start, trans);
    const ref = forwardBackwardRef(logB, t, k, start, trans);
    expect(Number.isFinite(got.logLik)).toBe(true);
    expect(rel(got.logLik, ref.logLik), `logLik ${got.logLik} vs ${ref.logLik}`).toBeLessThanOrEqual(1e-10);
    expectNoNaN(got.gamma, 'gamma');
    // A shift common to all states at one step leaves γ and ξ unchanged. The log-space reference cannot show that
    // to better than ~1e-6 (its log α − log p(x_τ | x_<τ) at −1e8 keeps 1.5e-8 absolute), so compare with the
    // unshifted data: the reference there, and the kernel's own results.
    const ownBase = forwardBackward(base, t, k, start, trans);
    const refBase = forwardBackwardRef(base, t, k, start, trans);
    expectClose(got.gamma, ownBase.gamma, 1e-13, 'gamma vs unshifted', 1e-9);
    expectClose(got.xi, ownBase.xi, 1e-13, 'xi vs unshifted');
    expectClose(got.gamma, refBase.gamma, 1e-10, 'gamma vs reference (unshifted)', 1e-9);
    expectClose(got.xi, refBase.xi, 1e-10, 'xi vs reference (unshifted)');
    const v = viterbi(logB, t, k, start.map(Math.log), trans.map(Math.log));
    const vr = viterbiRef(logB, t, k, start.map(Math.log), trans.map(Math.log));
    expect(v.logProb).toBe(vr.logProb);
    expect(Array.from(v.states)).toEqual(Array.from(vr.states));
  });

  for (const k of [1, 2, 3, 6, 9, 10]) {
    it(`−∞ emission for every state at one time → −Infinity, γ = 0, ξ untouched (k=${k})`, () => {
      const t = 9;
      const rand = testRng(60 + k);
      const start = randomStochastic(rand, 1, k);
      const trans = randomStochastic(rand, k, k);
      const logB = randomLogB(rand, t, k);
      for (let s = 0; s < k; s++) logB[s * t + 4] = -Infinity;
      const init = Array.from({ length: k * k }, (_, i) => 0.25 * i);
      const got = forwardBackward(logB, t, k, start, trans, { xiInit: init });
      expect(got.logLik).toBe(-Infinity);
      expect(Array.from(got.gamma!)).toEqual(new Array(k * t).fill(0));
      expect(Array.from(got.xi!)).toEqual(init);
      expect(forwardBackward(logB, t, k, start, trans, { gamma: false, xi: false }).logLik).toBe(-Infinity);
      expect(viterbi(logB, t, k, start.map(Math.log), trans.map(Math.log)).logProb).toBe(-Infinity);
    });
  }

  it('−∞ emission at t = 1 and at the last step → −Infinity', () => {
    const k = 3;
    for (const [t, at] of [[1, 0], [5, 4], [5, 0]] as const) {
      const logB = randomLogB(testRng(t + at), t, k);
      for (let s = 0; s < k; s++) logB[s * t + at] = -Infinity;
      const got = forwardBackward(logB, t, k, [0.2, 0.3, 0.5], [0.5, 0.25, 0.25, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4]);
      expect(got.logLik).toBe(-Infinity);
      expect(Array.from(got.gamma!)).toEqual(new Array(k * t).fill(0));
    }
  });

  it('a path made impossible by structural zeros → −Infinity without NaN', () => {
    // State 1 is absorbing and the only one that can emit from τ=2 on, but state 0 can never reach it…
    const k = 2;
    const t = 4;
    const logB = [-1, -1, -Infinity, -Infinity, -2, -2, -3, -3];
    const got = forwardBackward(logB, t, k, [1, 0], [1, 0, 0, 1], { xiInit: [1, 2, 3, 4] });
    expect(got.logLik).toBe(-Infinity);
    expect(Array.from(got.gamma!)).toEqual(new Array(k * t).fill(0));
    expect(Array.from(got.xi!)).toEqual([1, 2, 3, 4]);
    expect(bruteForceRef(logB, t, k, [1, 0], [1, 0, 0, 1]).logLik).toBe(-Infinity);
    expect(viterbi(logB, t, k, [0, -Infinity], [0, -Infinity, -Infinity, 0]).logProb).toBe(-Infinity);
  });

  it('Viterbi ties go to the lowest state index', () => {
    const k = 3;
    const t = 5;
    const logB = new Array(k * t).fill(-1);
    const v = viterbi(logB, t, k, [Math.log(1 / 3), Math.log(1 / 3), Math.log(1 / 3)], new Array(k * k).fill(Math.log(1 / 3)));
    expect(Array.from(v.states)).toEqual([0, 0, 0, 0, 0]);
    // A tie between states 1 and 2 at the end: the path ends in 1.
    const logB2 = [-5, -5, -5, -1, -1, -1, -1, -1, -1];
    const v2 = viterbi(logB2, 3, 3, [0, -Infinity, -Infinity], [
      -Infinity, Math.log(0.5), Math.log(0.5), -Infinity, 0, -Infinity, -Infinity, -Infinity, 0,
    ]);
    expect(Array.from(v2.states)).toEqual([0, 1, 1]);
  });
});

interface PomegranateFixture {
  startProb: number[];
  transMat: number[][];
  means: number[][];
  covars: number[][];
  sequences: number[][][];
  logProb: number[];
}

describe('pomegranate 0.14 Gaussian HMM (diagonal covariances, D=2, K=3)', () => {
  const fx = JSON.parse(readFileSync(new URL('./fixtures/pomegranate-hmm.json', import.meta.url), 'utf8')) as PomegranateFixture;
  const k = fx.startProb.length;
  fx.sequences.forEach((seq, n) => {
    it(`sequence ${n} (t=${seq.length}): log-likelihood matches model.log_probability to 1e-9`, () => {
      const t = seq.length;
      const logB = new Float64Array(k * t);
      for (let s = 0; s < k; s++) {
        for (let tau = 0; tau < t; tau++) {
          let l = 0;
          for (let d = 0; d < seq[tau]!.length; d++) {
            const v = fx.covars[s]![d]!;
            const z = seq[tau]![d]! - fx.means[s]![d]!;
            l += -0.5 * (Math.log(2 * Math.PI * v) + (z * z) / v);
          }
          logB[s * t + tau] = l;
        }
      }
      const got = forwardBackward(logB, t, k, fx.startProb, fx.transMat.flat());
      expect(rel(got.logLik, fx.logProb[n]!), `${got.logLik} vs ${fx.logProb[n]}`).toBeLessThanOrEqual(1e-9);
    });
  });
});
