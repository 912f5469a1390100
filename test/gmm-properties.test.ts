import { describe, expect, it } from 'vitest';
import { GaussianMixture, type CovarianceType } from '../src/index.js';
import { collectStats } from '../src/core/em.js';
import { chunkRows, frameOf, uploadBlock } from '../src/parts/data.js';
// @ts-expect-error: plain JavaScript module without declarations
import { gmmFit } from '../bench/plain-em.mjs';
import { covarianceFamily } from '../src/parts/gaussian.js';
import { GaussianEmission } from '../src/parts/gaussian-emission.js';
import { MixtureEm } from '../src/parts/mixture.js';
import { toMatrix } from '../src/core/matrix.js';
import { Rng } from '../src/core/rng.js';
import { loadRuntime } from '../src/wasm/load.js';
import { blobs, expectClose, flat, testRng } from './helpers/close.js';

const TYPES: CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];
const TRUE_MEANS = [
  [0, 0, 0],
  [6, 1, -2],
  [-3, 7, 4],
];
const data = blobs(testRng(1), 600, TRUE_MEANS, [1, 0.6, 1.5]);
const X = data.X;

describe('GaussianMixture properties', () => {
  for (const covarianceType of TYPES) {
    it(`log-likelihood never decreases (${covarianceType}, 200 iterations)`, async () => {
      // Overlapping blobs and a random start keep EM moving for many iterations.
      const gm = await GaussianMixture.fit(X, { nComponents: 5, covarianceType, maxIter: 200, tol: 0, init: 'random', seed: 3 });
      expect(gm.nIter).toBe(200);
      expect(gm.lowerBounds.length).toBe(200);
      for (let i = 1; i < gm.lowerBounds.length; i++) {
        const prev = gm.lowerBounds[i - 1]!;
        expect(gm.lowerBounds[i]! - prev, `iteration ${i + 1}`).toBeGreaterThanOrEqual(-1e-10 * Math.abs(prev));
      }
      expect(gm.monotonicityViolations).toEqual([]);
    });
  }

  it('nInit = 5 is never worse than one run', async () => {
    for (const covarianceType of TYPES) {
      const one = await GaussianMixture.fit(X, { nComponents: 4, covarianceType, init: 'random', seed: 11 });
      const five = await GaussianMixture.fit(X, { nComponents: 4, covarianceType, init: 'random', seed: 11, nInit: 5 });
      expect(five.runLowerBounds.length).toBe(5);
      expect(five.runLowerBounds[0]).toBe(one.lowerBound);
      expect(five.lowerBound).toBe(Math.max(...five.runLowerBounds));
      expect(five.lowerBound).toBeGreaterThanOrEqual(one.lowerBound);
    }
  });

  it('warm start with maxIter 1 twice equals maxIter 2 cold', async () => {
    for (const covarianceType of TYPES) {
      const opts = { nComponents: 3, covarianceType, tol: 0, seed: 2 };
      const a = await GaussianMixture.fit(X, { ...opts, maxIter: 1 });
      const b = await GaussianMixture.fit(X, { ...opts, maxIter: 1, init: a });
      const c = await GaussianMixture.fit(X, { ...opts, maxIter: 2 });
      expectClose(b.weights, c.weights, 1e-12, 'weights');
      expectClose(b.means, c.means, 1e-12, 'means');
      expectClose(b.covariances, c.covariances, 1e-11, 'covariances');
      expectClose(b.lowerBound, c.lowerBound, 1e-12, 'lowerBound');
    }
  });

  it('maxIter 0 returns the initialisation', async () => {
    const weightsInit = [0.2, 0.3, 0.5];
    const meansInit = [[1, 1, 1], [5, 0, -1], [-2, 6, 3]];
    const precisionsInit = [1, 2, 0.5].map((s) => [[s, 0.1, 0], [0.1, s, 0], [0, 0, s]]);
    const gm = await GaussianMixture.fit(X, { nComponents: 3, maxIter: 0, weightsInit, meansInit, precisionsInit });
    expect(gm.nIter).toBe(0);
    expectClose(gm.weights, weightsInit, 1e-15, 'weights');
    expectClose(gm.means, meansInit, 1e-14, 'means');
    expectClose(gm.precisions, precisionsInit, 1e-13, 'precisions');
  });

  it('integer sampleWeight equals duplicated rows, and weight 0 equals a removed row', async () => {
    const Xs = X.slice(0, 200);
    const w = Xs.map((_, i) => (i % 7 === 0 ? 0 : (i % 3) + 1));
    const dup: number[][] = [];
    Xs.forEach((r, i) => {
      for (let t = 0; t < w[i]!; t++) dup.push(r);
    });
    // Same explicit start: the data differ in order, so random inits would differ.
    const start = { nComponents: 3, meansInit: TRUE_MEANS, tol: 0, maxIter: 30 };
    for (const covarianceType of TYPES) {
      const a = await GaussianMixture.fit(Xs, { ...start, covarianceType, sampleWeight: w });
      const b = await GaussianMixture.fit(dup, { ...start, covarianceType });
      expectClose(a.weights, b.weights, 1e-9, 'weights');
      expectClose(a.means, b.means, 1e-9, 'means');
      expectClose(a.covariances, b.covariances, 1e-9, 'covariances');
      expectClose(a.lowerBound, b.lowerBound, 1e-9, 'lowerBound');
    }
  });

  it('the statistics of two chunks add up to the statistics of the whole', async () => {
    const ws = (await loadRuntime()).sync;
    const m = toMatrix(X);
    for (const covarianceType of TYPES) {
      ws.scope(() => {
        const family = covarianceFamily(covarianceType);
        const frame = frameOf(m, undefined);
        const whole = uploadBlock(ws, m, frame, undefined);
        const a = uploadBlock(ws, m, frame, undefined, 0, 257);
        const b = uploadBlock(ws, m, frame, undefined, 257, m.rows);
        const em = new MixtureEm(ws, new GaussianEmission(ws, family, 3, 3, 1e-6), { method: 'random', kmeansTol: 0 }, m.rows);
        const params = em.init([whole], new Rng(4));
        const s1 = collectStats(em, params, [whole]);
        const s2 = collectStats(em, params, [a, b]);
        expectClose(s2.values, s1.values, 1e-12, `${covarianceType} stats`);
        expectClose(s2.logLik, s1.logLik, 1e-13, 'logLik');
        expect(s2.weight).toBe(s1.weight);
      });
    }
  });

  it('E-steps over cache-sized chunks (n > chunkRows) agree with a one-pass plain TypeScript EM', async () => {
    // 15 000 rows of d = 3 with k = 3 run in chunks of chunkRows(3, 3) rows; bench/plain-em.mjs is an independent
    // implementation that sees every row in one pass, from the same initial parameters.
    const big = blobs(testRng(21), 15_000, TRUE_MEANS, [1, 0.6, 1.5]).X;
    expect(big.length).toBeGreaterThan(2 * chunkRows(3, 3));
    const n = big.length;
    const d = 3;
    const k = 3;
    const x = Float64Array.from(big.flat());
    const weights = Float64Array.from([0.3, 0.3, 0.4]);
    const means = Float64Array.from([0.5, 0.5, 0, 5, 0, -1, -2, 6, 3]);
    for (const covarianceType of ['full', 'diag'] as const) {
      const precisions = covarianceType === 'full'
        ? Float64Array.from([0.8, 0.1, 0, 0.1, 0.9, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0, 0.1, 0, 0.5, 0, 0.1, 0, 0.5])
        : Float64Array.from([0.8, 0.9, 1, 1, 1, 1, 0.5, 0.5, 0.5]);
      const gm = await GaussianMixture.fit(big, {
        nComponents: k, covarianceType, tol: 0, maxIter: 15, regCovar: 1e-6,
        weightsInit: Array.from(weights),
        meansInit: [0, 1, 2].map((c) => Array.from(means.subarray(c * d, (c + 1) * d))),
        precisionsInit: covarianceType === 'full'
          ? [0, 1, 2].map((c) => [0, 1, 2].map((a) => Array.from(precisions.subarray(c * 9 + a * 3, c * 9 + a * 3 + 3))))
          : [0, 1, 2].map((c) => Array.from(precisions.subarray(c * d, (c + 1) * d))),
      });
      const ref = gmmFit(x, n, d, { weights, means, precisions }, covarianceType, 15, 1e-6);
      expectClose(gm.lowerBounds, ref.lowerBounds, 1e-10, `${covarianceType} lowerBounds`);
      expectClose(flat(gm.means), Array.from(ref.means), 1e-9, `${covarianceType} means`);
      expectClose(gm.weights, Array.from(ref.weights), 1e-9, `${covarianceType} weights`);
    }
  });

  it('is translation equivariant', async () => {
    const shift = [1000, -250, 3.5];
    const moved = X.map((r) => r.map((v, j) => v + shift[j]!));
    for (const covarianceType of TYPES) {
      const a = await GaussianMixture.fit(X, { nComponents: 3, covarianceType, seed: 5 });
      const b = await GaussianMixture.fit(moved, { nComponents: 3, covarianceType, seed: 5 });
      expectClose(b.means, a.means.map((r) => r.map((v, j) => v + shift[j]!)), 1e-9, 'means');
      expectClose(b.covariances, a.covariances, 1e-8, 'covariances');
      expectClose(b.lowerBound, a.lowerBound, 1e-9, 'lowerBound');
    }
  });

  it('recovers the generating parameters up to label permutation', async () => {
    const big = blobs(testRng(9), 6000, TRUE_MEANS, [1, 0.6, 1.5]);
    const gm = await GaussianMixture.fit(big.X, { nComponents: 3, covarianceType: 'spherical', seed: 1 });
    for (let t = 0; t < 3; t++) {
      // Match each true component to the nearest fitted mean.
      const dists = gm.means.map((m) => Math.hypot(...m.map((v, j) => v - TRUE_MEANS[t]![j]!)));
      const c = dists.indexOf(Math.min(...dists));
      expect(dists[c]).toBeLessThan(0.1);
      expect(Math.sqrt((gm.covariances as number[])[c]!)).toBeCloseTo([1, 0.6, 1.5][t]!, 1);
      expect(gm.weights[c]).toBeCloseTo(1 / 3, 2);
    }
  });

  it('samples have the mixture moments (20 000 samples)', async () => {
    const gm = await GaussianMixture.fromParams({
      covarianceType: 'full',
      weights: [0.3, 0.7],
      means: [[0, 0], [4, -2]],
      covariances: [[[1, 0.5], [0.5, 2]], [[0.5, -0.2], [-0.2, 0.3]]],
    });
    const { X: S, labels } = gm.sample(20000, { seed: 8 });
    const n = S.rows;
    const mean = [0, 1].map((j) => S.data.filter((_, p) => p % 2 === j).reduce((a, b) => a + b, 0) / n);
    // Mixture mean Σ w μ and covariance Σ w (Σ + μμᵀ) − mmᵀ.
    const w = [0.3, 0.7];
    const mu = [[0, 0], [4, -2]];
    const cov = [[[1, 0.5], [0.5, 2]], [[0.5, -0.2], [-0.2, 0.3]]];
    const m = [0, 1].map((j) => w[0]! * mu[0]![j]! + w[1]! * mu[1]![j]!);
    for (let j = 0; j < 2; j++) expect(Math.abs(mean[j]! - m[j]!)).toBeLessThan(0.05);
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += (S.data[i * 2 + a]! - mean[a]!) * (S.data[i * 2 + b]! - mean[b]!);
        const want = w.reduce((acc, wc, c) => acc + wc * (cov[c]![a]![b]! + mu[c]![a]! * mu[c]![b]!), 0) - m[a]! * m[b]!;
        expect(Math.abs(s / n - want)).toBeLessThan(0.08);
      }
    }
    expect(labels.filter((l) => l === 0).length / n).toBeCloseTo(0.3, 1);
  });

  it('a JSON round trip scores identically', async () => {
    for (const covarianceType of TYPES) {
      const gm = await GaussianMixture.fit(X, { nComponents: 3, covarianceType });
      const back = await GaussianMixture.fromJSON(JSON.stringify(gm));
      expect(Array.from(back.scoreSamples(X))).toEqual(Array.from(gm.scoreSamples(X)));
      expect(Array.from(back.predict(X))).toEqual(Array.from(gm.predict(X)));
      expect(flat(back.sample(50, { seed: 1 }).X)).toEqual(flat(gm.sample(50, { seed: 1 }).X));
    }
  });

  it('the same seed gives bit-identical results', async () => {
    const a = await GaussianMixture.fit(X, { nComponents: 4, init: 'k-means++', nInit: 3, seed: 42 });
    const b = await GaussianMixture.fit(X, { nComponents: 4, init: 'k-means++', nInit: 3, seed: 42 });
    expect(flat(a.means)).toEqual(flat(b.means));
    expect(flat(a.covariances)).toEqual(flat(b.covariances));
    expect(a.lowerBounds).toEqual(b.lowerBounds);
  });

  it('every init method reaches a good fit on separated blobs', async () => {
    for (const init of ['kmeans', 'k-means++', 'random', 'random_from_data'] as const) {
      const gm = await GaussianMixture.fit(X, { nComponents: 3, init, nInit: 3, seed: 0 });
      const truth = await GaussianMixture.fit(X, { nComponents: 3, meansInit: TRUE_MEANS });
      expect(gm.lowerBound, init).toBeGreaterThan(truth.lowerBound - 1e-3);
    }
  });
});
