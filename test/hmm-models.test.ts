import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CategoricalHMM, GaussianHMM, GaussianMixture, GMMHMM, PoissonHMM, ShapeError, ValidationError } from '../src/index.js';
import { bruteForceRef, forwardBackwardRef } from './reference/hmm.js';
import { expectClose, flat, testRng } from './helpers/close.js';

const rows = (m: { data: Float64Array; rows: number; cols: number }): number[][] =>
  Array.from({ length: m.rows }, (_, i) => Array.from(m.data.subarray(i * m.cols, (i + 1) * m.cols)));

// Plain-TS emission log-densities, k×t component-major: the oracle side of every brute-force test.
const diagLogB = (X: number[][], means: number[][], vars: number[][]): number[] =>
  means.flatMap((mu, s) => X.map((x) => x.reduce((a, v, j) => a - 0.5 * (Math.log(2 * Math.PI * vars[s]![j]!) + (v - mu[j]!) ** 2 / vars[s]![j]!), 0)));
const catLogB = (X: number[][], e: number[][]): number[] => e.flatMap((row) => X.map((x) => Math.log(row[x[0]!]!)));
const logFact = (x: number): number => (x < 2 ? 0 : Math.log(x) + logFact(x - 1));
const poisLogB = (X: number[][], l: number[][]): number[] =>
  l.flatMap((lam) => X.map((x) => x.reduce((a, v, j) => a + v * Math.log(lam[j]!) - lam[j]! - logFact(v), 0)));

interface Case {
  name: string;
  make: () => Promise<GaussianHMM | CategoricalHMM | PoissonHMM | GMMHMM>;
  X: number[][];
  logB: (X: number[][]) => number[];
  refit: (X: number[][], lengths: number[], init: Record<string, unknown>) => Promise<GaussianHMM | CategoricalHMM | PoissonHMM | GMMHMM>;
  /** The emission M-step from posteriors γ (k×n over the concatenated rows): the fitted fields and their values. */
  mStep: (X: number[][], gamma: number[][]) => { field: string; value: number[] }[];
}

const start = [0.5, 0.3, 0.2];
const trans = [
  [0.6, 0.3, 0.1],
  [0.2, 0.5, 0.3],
  [0.3, 0.3, 0.4],
];
const gMeans = [[0, 1], [2, -1], [-1, -2]];
const gVars = [[1, 0.5], [0.7, 1.2], [2, 0.4]];
const emission = [[0.5, 0.3, 0.2], [0.1, 0.1, 0.8], [0.3, 0.6, 0.1]];
const lambdas = [[1, 4], [6, 0.5], [3, 3]];
const lengths = [7, 1, 5];
const mixW = [[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]];
const mixMeans = [[[0, 1], [1, 2]], [[2, -1], [1.5, 0]], [[-1, -2], [0, -1]]];
const mixVars = [[[1, 0.5], [0.4, 0.8]], [[0.7, 1.2], [1, 1]], [[2, 0.4], [0.5, 0.6]]];
/** GMMHMM emission log-densities log Σ_m w_sm N(x; μ_sm, v_sm) (k×t) and within-state responsibilities r[s][m][t]. */
const mixLogB = (X: number[][]) => {
  const comp = mixMeans.map((ms, s) => ms.map((mu, m) => diagLogB(X, [mu], [mixVars[s]![m]!]).map((v) => v + Math.log(mixW[s]![m]!))));
  const logB = comp.flatMap((cs) => X.map((_, i) => Math.log(cs.reduce((a, c) => a + Math.exp(c[i]!), 0))));
  const resp = comp.map((cs, s) => cs.map((c) => c.map((v, i) => Math.exp(v - logB[s * X.length + i]!))));
  return { logB, resp };
};

const cases: Case[] = [
  {
    name: 'Gaussian (diag)',
    make: () => GaussianHMM.fromParams({ covarianceType: 'diag', startProb: start, transMat: trans, means: gMeans, covars: gVars }),
    X: [[0.1, 1.2], [2.3, -0.5], [1.9, -1.4], [-1.2, -2.2], [-0.4, -1.8], [0.3, 0.2], [2.2, -0.9], [0.5, 0.5], [1, -1], [-2, -2.5], [0, 0], [3, -1], [-1, 1]],
    logB: (X) => diagLogB(X, gMeans, gVars),
    refit: (X, l, init) => GaussianHMM.fit(X, { nStates: 3, covarianceType: 'diag', lengths: l, maxIter: 1, tol: 0, regCovar: 0, meansInit: gMeans, covarsInit: gVars, ...init }),
    mStep: (X, gamma) => [{
      field: 'means',
      value: gamma.flatMap((g) => [0, 1].map((j) => X.reduce((a, x, i) => a + g[i]! * x[j]!, 0) / g.reduce((a, b) => a + b, 0))),
    }],
  },
  {
    name: 'categorical',
    make: () => CategoricalHMM.fromParams({ startProb: start, transMat: trans, emissionProb: emission }),
    X: [0, 2, 2, 1, 0, 1, 2, 0, 1, 1, 2, 0, 0].map((v) => [v]),
    logB: (X) => catLogB(X, emission),
    refit: (X, l, init) => CategoricalHMM.fit(X, { nStates: 3, nSymbols: 3, lengths: l, maxIter: 1, tol: 0, emissionProbInit: emission, ...init }),
    mStep: (X, gamma) => [{
      field: 'emissionProb',
      value: gamma.flatMap((g) => [0, 1, 2].map((m) => X.reduce((a, x, i) => a + (x[0] === m ? g[i]! : 0), 0) / g.reduce((a, b) => a + b, 0))),
    }],
  },
  {
    name: 'Poisson',
    make: () => PoissonHMM.fromParams({ startProb: start, transMat: trans, lambdas }),
    X: [[0, 3], [5, 1], [7, 0], [2, 4], [3, 2], [1, 5], [6, 1], [2, 2], [0, 0], [4, 4], [9, 1], [1, 3], [3, 3]],
    logB: (X) => poisLogB(X, lambdas),
    refit: (X, l, init) => PoissonHMM.fit(X, { nStates: 3, lengths: l, maxIter: 1, tol: 0, lambdasInit: lambdas, ...init }),
    mStep: (X, gamma) => [{
      field: 'lambdas',
      value: gamma.flatMap((g) => [0, 1].map((j) => X.reduce((a, x, i) => a + g[i]! * x[j]!, 0) / g.reduce((a, b) => a + b, 0))),
    }],
  },
  {
    name: 'Gaussian mixture (GMMHMM, 2 diag components per state)',
    make: () => GMMHMM.fromParams({ covarianceType: 'diag', startProb: start, transMat: trans, weights: mixW, means: mixMeans, covars: mixVars }),
    X: [[0.1, 1.2], [2.3, -0.5], [1.9, -1.4], [-1.2, -2.2], [-0.4, -1.8], [0.3, 0.2], [2.2, -0.9], [0.5, 0.5], [1, -1], [-2, -2.5], [0, 0], [3, -1], [-1, 1]],
    logB: (X) => mixLogB(X).logB,
    refit: (X, l, init) => GMMHMM.fit(X, { nStates: 3, nMix: 2, covarianceType: 'diag', lengths: l, maxIter: 1, tol: 0, regCovar: 0, weightsInit: mixW, meansInit: mixMeans, covarsInit: mixVars, ...init }),
    mStep: (X, gamma) => {
      // γ_t(s, m) = γ_t(s)·r_t(m | s): the state posterior split by the within-state responsibilities.
      const { resp } = mixLogB(X);
      const joint = resp.map((rs, s) => rs.map((rm) => rm.map((v, i) => v * gamma[s]![i]!)));
      const sum = (a: number[]) => a.reduce((p, q) => p + q, 0);
      return [
        { field: 'weights', value: joint.flatMap((js, s) => js.map((jm) => sum(jm) / sum(gamma[s]!))) },
        { field: 'means', value: joint.flatMap((js) => js.flatMap((jm) => [0, 1].map((j) => sum(jm.map((v, i) => v * X[i]![j]!)) / sum(jm)))) },
      ];
    },
  },
];

/** Brute force over all state paths of each sequence (k = 3, t ≤ 7). */
function brute(c: Case) {
  let at = 0;
  const k = 3;
  const out = { logLik: 0, gamma: [[], [], []] as number[][], xi: new Float64Array(9), start0: new Float64Array(3), best: [] as number[], bestLog: 0 };
  for (const t of lengths) {
    const Xs = c.X.slice(at, at + t);
    const r = bruteForceRef(c.logB(Xs), t, k, start, trans.flat());
    out.logLik += r.logLik;
    for (let s = 0; s < k; s++) for (let i = 0; i < t; i++) out.gamma[s]!.push(r.gamma[s * t + i]!);
    r.xi.forEach((v, p) => (out.xi[p] += v));
    for (let s = 0; s < k; s++) out.start0[s] += r.gamma[s * t]!;
    out.best.push(...r.best.states);
    out.bestLog += r.best.logProb;
    at += t;
  }
  return out;
}

describe('HMMs against brute-force enumeration of every state path', () => {
  for (const c of cases) {
    it(`${c.name}: likelihood, posteriors, Viterbi path and one Baum–Welch update`, async () => {
      const hmm = await c.make();
      const b = brute(c);
      expectClose(hmm.score(c.X, lengths), b.logLik, 1e-12, 'score');
      const post = hmm.predictProba(c.X, lengths);
      expectClose(post.data, Array.from({ length: c.X.length }, (_, i) => b.gamma.map((g) => g[i]!)).flat(), 1e-12, 'posteriors');
      const dec = hmm.decode(c.X, { lengths });
      expect(Array.from(dec.states)).toEqual(b.best);
      expectClose(dec.logProb, b.bestLog, 1e-12, 'viterbi logProb');
      const map = hmm.decode(c.X, { lengths, algorithm: 'map' });
      expect(Array.from(map.states)).toEqual(Array.from({ length: c.X.length }, (_, i) => [0, 1, 2].reduce((a, s) => (b.gamma[s]![i]! > b.gamma[a]![i]! ? s : a), 0)));
      // One Baum–Welch step from the same parameters.
      const upd = await c.refit(c.X, lengths, { startProbInit: start, transMatInit: trans });
      const s0 = b.start0.reduce((a, v) => a + v, 0);
      expectClose(upd.startProb, Array.from(b.start0, (v) => v / s0), 1e-12, 'startProb');
      const rowsXi = [0, 1, 2].map((i) => Array.from(b.xi.subarray(i * 3, i * 3 + 3)));
      expectClose(upd.transMat, rowsXi.map((r) => r.map((v) => v / r.reduce((a, u) => a + u, 0))), 1e-12, 'transMat');
      for (const { field, value } of c.mStep(c.X, b.gamma)) expectClose((upd as unknown as Record<string, unknown>)[field], value, 1e-10, field);
      expectClose(upd.lowerBounds[0], b.logLik, 1e-12, 'lower bound of the step');
    });
  }

  it('Dirichlet pseudo-counts: one Baum–Welch update adds them to the brute-force expected counts (start, transitions, symbols)', async () => {
    const c = cases.find((q) => q.name === 'categorical')!;
    const b = brute(c);
    const [a0, a1, a2] = [0.5, 2, 0.25];
    const upd = (await CategoricalHMM.fit(c.X, {
      nStates: 3, nSymbols: 3, lengths, maxIter: 1, tol: 0, startProbInit: start, transMatInit: trans, emissionProbInit: emission,
      startProbPrior: a0, transMatPrior: a1, emissionProbPrior: a2,
    })) as CategoricalHMM;
    const norm = (v: number[]) => v.map((x) => x / v.reduce((p, q) => p + q, 0));
    expectClose(upd.startProb, norm(Array.from(b.start0, (v) => v + a0)), 1e-12, 'startProb');
    expectClose(upd.transMat, [0, 1, 2].map((i) => norm(Array.from(b.xi.subarray(i * 3, i * 3 + 3), (v) => v + a1))), 1e-12, 'transMat');
    const counts = b.gamma.map((g) => [0, 1, 2].map((m) => c.X.reduce((acc, x, i) => acc + (x[0] === m ? g[i]! : 0), 0) + a2));
    expectClose(upd.emissionProb, counts.map(norm), 1e-12, 'emissionProb');
  });

  it('the Wikipedia weather model: walk, shop, clean decodes to Sunny, Rainy, Rainy with probability 0.01344', async () => {
    const hmm = await CategoricalHMM.fromParams({
      startProb: [0.6, 0.4],
      transMat: [[0.7, 0.3], [0.4, 0.6]],
      emissionProb: [[0.1, 0.4, 0.5], [0.6, 0.3, 0.1]],
    });
    const { states, logProb } = hmm.decode([[0], [1], [2]]);
    expect(Array.from(states)).toEqual([1, 0, 0]);
    expect(Math.exp(logProb)).toBeCloseTo(0.01344, 12);
  });
});

describe('HMMs against pomegranate 0.14', () => {
  it('forward log-likelihoods of a diagonal Gaussian HMM on ragged sequences', async () => {
    const fx = JSON.parse(readFileSync(new URL('./fixtures/pomegranate-hmm.json', import.meta.url), 'utf8'));
    const hmm = await GaussianHMM.fromParams({ covarianceType: 'diag', startProb: fx.startProb, transMat: fx.transMat, means: fx.means, covars: fx.covars });
    fx.sequences.forEach((seq: number[][], i: number) => expectClose(hmm.score(seq), fx.logProb[i], 1e-9, `sequence ${i} (length ${seq.length})`));
    const all = fx.sequences.flat();
    expectClose(hmm.score(all, fx.sequences.map((s: number[][]) => s.length)), fx.logProb.reduce((a: number, b: number) => a + b, 0), 1e-9, 'total');
  });
});

describe('HMM properties', () => {
  const gen = GaussianHMM.fromParams({ covarianceType: 'full', startProb: [0.5, 0.5, 0], transMat: [[0.8, 0.15, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]], means: [[0, 0], [2.5, 1], [-1, 3]], covars: [[[1, 0.3], [0.3, 1]], [[0.6, 0], [0, 0.6]], [[1.5, -0.4], [-0.4, 0.8]]] });

  it('the log-likelihood never decreases, for every emission type and multi-sequence fits', async () => {
    const g = await gen;
    const { X } = g.sample(1500, { seed: 3 });
    const Xr = rows(X);
    const lens = [500, 1, 300, 699];
    const fits = [
      ...(['full', 'tied', 'diag', 'spherical'] as const).map((covarianceType) => GaussianHMM.fit(Xr, { nStates: 3, covarianceType, lengths: lens, maxIter: 60, tol: 0, seed: 1 })),
      GMMHMM.fit(Xr, { nStates: 2, nMix: 2, lengths: lens, maxIter: 60, tol: 0 }),
      CategoricalHMM.fit(Xr.map((r) => [(r[0]! > 1 ? 1 : 0) + (r[1]! > 1 ? 2 : 0)]), { nStates: 3, lengths: lens, maxIter: 60, tol: 0 }),
      PoissonHMM.fit(Xr.map((r) => [Math.round(Math.abs(r[0]!) * 3), Math.round(Math.abs(r[1]!) * 2)]), { nStates: 3, lengths: lens, maxIter: 60, tol: 0 }),
    ];
    for (const f of await Promise.all(fits)) {
      expect(f.nIter).toBe(60);
      for (let i = 1; i < f.lowerBounds.length; i++) {
        expect(f.lowerBounds[i]! - f.lowerBounds[i - 1]!, `${f.constructor.name} iteration ${i + 1}`).toBeGreaterThanOrEqual(-1e-10 * Math.abs(f.lowerBounds[i - 1]!));
      }
      expect(f.monotonicityViolations).toEqual([]);
    }
  });

  it('the order of the sequences does not change the fit', async () => {
    const g = await gen;
    const seqs = [40, 1, 75, 33].map((n, i) => rows(g.sample(n, { seed: 10 + i }).X));
    const init = { nStates: 3, covarianceType: 'full' as const, maxIter: 20, tol: 0, startProbInit: [0.4, 0.4, 0.2], transMatInit: [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]], meansInit: [[0, 0], [2, 1], [-1, 2]] };
    const a = await GaussianHMM.fit(seqs.flat(), { ...init, lengths: seqs.map((s) => s.length) });
    const order = [2, 0, 3, 1];
    const b = await GaussianHMM.fit(order.flatMap((i) => seqs[i]!), { ...init, lengths: order.map((i) => seqs[i]!.length) });
    expectClose(b.transMat, a.transMat, 1e-9, 'transMat');
    expectClose(b.means, a.means, 1e-9, 'means');
    expectClose(b.covars, a.covars, 1e-9, 'covars');
    expectClose(b.lowerBounds, a.lowerBounds, 1e-11, 'log-likelihoods');
  });

  it('with state-independent transitions the posteriors equal the mixture responsibilities', async () => {
    const w = [0.2, 0.5, 0.3];
    const means = [[0, 0], [2, 1], [-1, 2]];
    const covars = [[[1, 0.2], [0.2, 1]], [[0.5, 0], [0, 0.8]], [[1, -0.3], [-0.3, 2]]];
    const hmm = await GaussianHMM.fromParams({ covarianceType: 'full', startProb: w, transMat: [w, w, w], means, covars });
    const gm = await GaussianMixture.fromParams({ covarianceType: 'full', weights: w, means, covariances: covars });
    const X = rows((await gen).sample(400, { seed: 5 }).X);
    expectClose(hmm.predictProba(X).data, gm.predictProba(X).data, 1e-12, 'posteriors');
    expectClose(hmm.score(X), gm.score(X) * X.length, 1e-12, 'log-likelihood');
  });

  it('a 200 000-step sequence with outliers at 1e4 scores to the finite log-space value', async () => {
    const hmm = await GaussianHMM.fromParams({ covarianceType: 'diag', startProb: [0.5, 0.5], transMat: [[0.99, 0.01], [0.02, 0.98]], means: [[0], [3]], covars: [[1], [0.25]] });
    const rand = testRng(7);
    const X = Array.from({ length: 200000 }, (_, i) => [i % 997 === 0 ? 1e4 : rand() * 4 - 0.5]);
    const s = hmm.score(X);
    expect(Number.isFinite(s)).toBe(true);
    const ref = forwardBackwardRef(diagLogB(X, [[0], [3]], [[1], [0.25]]), X.length, 2, [0.5, 0.5], [0.99, 0.01, 0.02, 0.98]);
    expectClose(s, ref.logLik, 1e-10, 'log-likelihood');
  });

  it('structural zeros in startProb and transMat stay zero', async () => {
    const g = await gen;
    const X = rows(g.sample(600, { seed: 6 }).X);
    const leftRight = [[0.9, 0.1, 0], [0, 0.9, 0.1], [0, 0, 1]];
    const f = await GaussianHMM.fit(X, { nStates: 3, startProbInit: [1, 0, 0], transMatInit: leftRight, maxIter: 30, transMatPrior: 1, startProbPrior: 1 });
    expect(f.startProb.slice(1)).toEqual([0, 0]);
    expect([f.transMat[0]![2], f.transMat[1]![0], f.transMat[2]![0], f.transMat[2]![1]]).toEqual([0, 0, 0, 0]);
  });

  it('update limits the M-step to the named parameter groups', async () => {
    const g = await gen;
    const X = rows(g.sample(300, { seed: 8 }).X);
    const startProbInit = [0.3, 0.3, 0.4];
    const meansInit = [[0, 0], [1, 1], [2, 2]];
    const f = await GaussianHMM.fit(X, { nStates: 3, startProbInit, meansInit, update: ['transMat', 'covars'], maxIter: 5 });
    expect(f.startProb).toEqual(startProbInit);
    expectClose(f.means, meansInit, 1e-14, 'means held');
    await expect(GaussianHMM.fit(X, { nStates: 2, update: ['emissionProb'] })).rejects.toThrow(/update must name parameter groups among startProb, transMat, means, covars, got "emissionProb"/);
  });

  it('recovers generating parameters up to permutation (Gaussian, categorical, Poisson)', async () => {
    const g = await gen;
    const X = rows(g.sample(20000, { seed: 9 }).X);
    const f = await GaussianHMM.fit(X, { nStates: 3, covarianceType: 'full', maxIter: 100, nInit: 2 });
    const perm = g.means.map((m) => f.means.findIndex((fm) => Math.hypot(fm[0]! - m[0]!, fm[1]! - m[1]!) < 0.15));
    expect(new Set(perm).size).toBe(3);
    perm.forEach((p, i) => perm.forEach((q, j) => expect(Math.abs(f.transMat[p]![q]! - g.transMat[i]![j]!)).toBeLessThan(0.03)));

    const c = await CategoricalHMM.fromParams({ startProb: [0.5, 0.5], transMat: [[0.9, 0.1], [0.2, 0.8]], emissionProb: [[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]] });
    const cf = await CategoricalHMM.fit(rows(c.sample(20000, { seed: 1 }).X), { nStates: 2, maxIter: 200, nInit: 3, seed: 2 });
    const cp = cf.emissionProb[0]![0]! > 0.4 ? [0, 1] : [1, 0];
    cp.forEach((p, i) => c.emissionProb[i]!.forEach((v, m) => expect(Math.abs(cf.emissionProb[p]![m]! - v)).toBeLessThan(0.03)));

    const p = await PoissonHMM.fromParams({ startProb: [0.5, 0.5], transMat: [[0.95, 0.05], [0.1, 0.9]], lambdas: [[1, 10], [20, 3]] });
    const pf = await PoissonHMM.fit(rows(p.sample(10000, { seed: 4 }).X), { nStates: 2, maxIter: 100 });
    const pp = pf.lambdas[0]![0]! < 5 ? [0, 1] : [1, 0];
    pp.forEach((q, i) => p.lambdas[i]!.forEach((v, j) => expect(Math.abs(pf.lambdas[q]![j]! - v) / v).toBeLessThan(0.05)));
  });

  it('JSON round trips score identically (every HMM type)', async () => {
    const g = await gen;
    const X = rows(g.sample(300, { seed: 2 }).X);
    const models = [
      await GaussianHMM.fit(X, { nStates: 3, covarianceType: 'tied' }),
      await GMMHMM.fit(X, { nStates: 2, nMix: 2, covarianceType: 'full' }),
    ];
    for (const m of models) {
      const back = await (m instanceof GMMHMM ? GMMHMM : GaussianHMM).fromJSON(JSON.stringify(m));
      expect(back.score(X)).toBe(m.score(X));
      expect(Array.from(back.predict(X))).toEqual(Array.from(m.predict(X)));
    }
    const C = X.map((r) => [r[0]! > 1 ? 1 : 0]);
    const c = await CategoricalHMM.fit(C, { nStates: 2 });
    expect((await CategoricalHMM.fromJSON(JSON.stringify(c))).score(C)).toBe(c.score(C));
    const P = X.map((r) => [Math.round(Math.abs(r[0]!))]);
    const p = await PoissonHMM.fit(P, { nStates: 2 });
    expect((await PoissonHMM.fromJSON(JSON.stringify(p))).score(P)).toBe(p.score(P));
  });

  it('warm start with maxIter 1 twice equals maxIter 2 cold (every HMM type)', async () => {
    const X = rows((await gen).sample(400, { seed: 12 }).X);
    const C = X.map((r) => [(r[0]! > 1 ? 1 : 0) + (r[1]! > 1 ? 2 : 0)]);
    const P = X.map((r) => [Math.round(Math.abs(r[0]!) * 3)]);
    const lengths = [150, 250];
    type Fit = (X: number[][], o: Record<string, unknown>) => Promise<GaussianHMM | GMMHMM | CategoricalHMM | PoissonHMM>;
    const runs: [string, Fit, number[][], Record<string, unknown>][] = [
      ['GaussianHMM', (x, o) => GaussianHMM.fit(x, o), X, { nStates: 3, covarianceType: 'full' }],
      ['GMMHMM', (x, o) => GMMHMM.fit(x, o), X, { nStates: 2, nMix: 2 }],
      ['CategoricalHMM', (x, o) => CategoricalHMM.fit(x, o), C, { nStates: 2 }],
      ['PoissonHMM', (x, o) => PoissonHMM.fit(x, o), P, { nStates: 2 }],
    ];
    for (const [name, fit, data, o] of runs) {
      const base = { ...o, lengths, tol: 0, seed: 4 };
      const cold = await fit(data, { ...base, maxIter: 2 });
      const once = await fit(data, { ...base, maxIter: 1 });
      const twice = await fit(data, { ...base, maxIter: 1, init: once });
      expectClose(twice.transMat, cold.transMat, 1e-12, `${name} transMat`);
      expectClose(twice.startProb, cold.startProb, 1e-12, `${name} startProb`);
      expectClose(twice.score(data, lengths), cold.score(data, lengths), 1e-12, `${name} score`);
      expectClose(twice.lowerBounds[0], cold.lowerBounds[1], 1e-12, `${name} bound of the second iteration`);
    }
    const g = await GaussianHMM.fit(X, { nStates: 2, maxIter: 1 });
    await expect(GaussianHMM.fit(X, { nStates: 3, init: g })).rejects.toThrow(/init model must have 3 states and 2 features and 'diag' covariances, got 2 states/);
    await expect(GaussianHMM.fit(X, { nStates: 2, covarianceType: 'full', init: g })).rejects.toThrow(/'full' covariances, got 2 states and 2 features and 'diag' covariances/);
    await expect(PoissonHMM.fit(P, { nStates: 2, init: g as never })).rejects.toThrow(/init must be a fitted PoissonHMM/);
  });

  it('nInit restarts are never worse than the first run, and every run is recorded', async () => {
    const X = rows((await gen).sample(500, { seed: 13 }).X);
    const one = await GaussianHMM.fit(X, { nStates: 3, maxIter: 15, seed: 3 });
    const five = await GaussianHMM.fit(X, { nStates: 3, maxIter: 15, seed: 3, nInit: 5 });
    expect(five.runLowerBounds).toHaveLength(5);
    const last = (m: GaussianHMM) => m.lowerBounds[m.lowerBounds.length - 1]!;
    expect(five.runLowerBounds[0]).toBe(last(one));
    expect(last(five)).toBe(Math.max(...five.runLowerBounds));
    expect(last(five)).toBeGreaterThanOrEqual(last(one));
  });

  it('bic and aic count hmmlearn\'s free parameters', async () => {
    const X = rows((await gen).sample(300, { seed: 14 }).X);
    const n = X.length;
    const [k, d] = [3, 2];
    const chain = k - 1 + k * (k - 1);
    const gaussCov = { full: (k * d * (d + 1)) / 2, tied: (d * (d + 1)) / 2, diag: k * d, spherical: k };
    const check = (m: GaussianHMM | GMMHMM | CategoricalHMM | PoissonHMM, data: number[][], p: number) => {
      expectClose(m.bic(data), -2 * m.score(data) + p * Math.log(n), 1e-14, `${m.constructor.name} bic`);
      expectClose(m.aic(data), -2 * m.score(data) + 2 * p, 1e-14, `${m.constructor.name} aic`);
    };
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const) {
      check(await GaussianHMM.fit(X, { nStates: k, covarianceType, maxIter: 2 }), X, chain + k * d + gaussCov[covarianceType]);
    }
    const mix = 2;
    const gmmCov = { full: (k * mix * d * (d + 1)) / 2, diag: k * mix * d, spherical: k * mix };
    for (const covarianceType of ['full', 'diag', 'spherical'] as const) {
      check(await GMMHMM.fit(X, { nStates: k, nMix: mix, covarianceType, maxIter: 2 }), X, chain + k * (mix - 1) + k * mix * d + gmmCov[covarianceType]);
    }
    const C = X.map((r) => [(r[0]! > 1 ? 1 : 0) + (r[1]! > 1 ? 2 : 0)]);
    check(await CategoricalHMM.fit(C, { nStates: k, nSymbols: 4, maxIter: 2 }), C, chain + k * 3);
    const P = X.map((r) => [Math.round(Math.abs(r[0]!) * 3), Math.round(Math.abs(r[1]!))]);
    check(await PoissonHMM.fit(P, { nStates: k, maxIter: 2 }), P, chain + k * d);
  });

  it('the stationary distribution satisfies πA = π', async () => {
    const g = await gen;
    const pi = g.stationaryDistribution();
    expect(pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    pi.forEach((_, j) => expect(pi.reduce((a, p, i) => a + p * g.transMat[i]![j]!, 0)).toBeCloseTo(pi[j]!, 14));
  });

  it('the same seed gives identical fits', async () => {
    const X = rows((await gen).sample(500, { seed: 1 }).X);
    const a = await GaussianHMM.fit(X, { nStates: 3, nInit: 2, seed: 5 });
    const b = await GaussianHMM.fit(X, { nStates: 3, nInit: 2, seed: 5 });
    expect(flat(a.means)).toEqual(flat(b.means));
    expect(a.lowerBounds).toEqual(b.lowerBounds);
  });
});

describe('HMM bad input', () => {
  const X = [[0], [1], [2], [1], [0]];
  it('lengths that do not sum to the rows', () => expect(GaussianHMM.fit(X, { nStates: 2, lengths: [2, 2] })).rejects.toThrow(new ShapeError('lengths must sum to the number of rows (5), got 4')));
  it('zero or negative lengths', async () => {
    await expect(GaussianHMM.fit(X, { nStates: 2, lengths: [5, 0] })).rejects.toThrow(/positive integers, got 0 at 1/);
    await expect(GaussianHMM.fit(X, { nStates: 2, lengths: [6, -1] })).rejects.toThrow(/positive integers, got -1 at 1/);
  });
  it('symbols out of range or not integers', async () => {
    const c = await CategoricalHMM.fromParams({ startProb: [1, 0], transMat: [[0.5, 0.5], [0.5, 0.5]], emissionProb: [[0.5, 0.5], [0.5, 0.5]] });
    expect(() => c.score([[0], [2]])).toThrow(/symbols must be integers in \[0, 1\], got 2 at row 1/);
    await expect(CategoricalHMM.fit([[0], [1.5]], { nStates: 1 })).rejects.toThrow(ValidationError);
    await expect(CategoricalHMM.fit([[0], [-1]], { nStates: 1 })).rejects.toThrow(/got -1 at row 1/);
  });
  it('negative or fractional counts for PoissonHMM', async () => {
    await expect(PoissonHMM.fit([[1], [-2]], { nStates: 1 })).rejects.toThrow(/non-negative integers, got -2 at row 1, column 0/);
    await expect(PoissonHMM.fit([[1], [0.5]], { nStates: 1 })).rejects.toThrow(/got 0.5/);
  });
  it('probability rows that do not sum to 1 or hold negative entries', async () => {
    await expect(GaussianHMM.fit(X, { nStates: 2, transMatInit: [[0.5, 0.6], [0.5, 0.5]] })).rejects.toThrow(/transMatInit row 0 must sum to 1, got 1.1/);
    await expect(GaussianHMM.fit(X, { nStates: 2, startProbInit: [1.5, -0.5] })).rejects.toThrow(/startProbInit must be non-negative, got -0.5 at \[1\]/);
    await expect(CategoricalHMM.fromParams({ startProb: [1], transMat: [[1]], emissionProb: [[0.2, 0.2]] })).rejects.toThrow(/emissionProb row 0 must sum to 1/);
  });
  it('more states than samples', () => expect(GaussianHMM.fit(X, { nStates: 6 })).rejects.toThrow(/nStates \(6\) must not exceed the number of samples, got 5/));
  it('NaN', () => expect(GaussianHMM.fit([[0], [NaN]], { nStates: 1 })).rejects.toThrow(/finite numbers, got NaN at row 1/));
  it('an unknown option', () => expect(PoissonHMM.fit([[1]], { nstates: 1 } as never)).rejects.toThrow(/unknown option "nstates"/));
});
