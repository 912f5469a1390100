import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KMeans } from '../src/index.js';
import { blobs, expectClose, testRng } from './helpers/close.js';

const fx = JSON.parse(readFileSync(new URL('./fixtures/sklearn-kmeans.json', import.meta.url), 'utf8'));

describe('KMeans agrees with scikit-learn 1.2 from identical centres', () => {
  for (const c of fx.cases) {
    it(`${c.dataset}, k=${c.nClusters}, maxIter=${c.options.maxIter}, tol=${c.options.tol}${c.sampleWeight ? ', weighted' : ''}`, async () => {
      const X = fx.datasets[c.dataset].X as number[][];
      const km = await KMeans.fit(X, {
        nClusters: c.nClusters,
        init: c.init,
        maxIter: c.options.maxIter,
        tol: c.options.tol,
        sampleWeight: c.sampleWeight ?? undefined,
      });
      expectClose(km.clusterCenters, c.expected.clusterCenters, 1e-10, 'clusterCenters');
      expect(Array.from(km.labels)).toEqual(c.expected.labels);
      expectClose(km.inertia, c.expected.inertia, 1e-10, 'inertia');
      expect(km.nIter).toBe(c.expected.nIter);
    });
  }
});

describe('KMeans properties', () => {
  const { X } = blobs(testRng(5), 900, [[0, 0], [8, 0], [0, 8], [8, 8]], [1, 1, 1, 1]);
  it('inertia never increases between Lloyd iterations', async () => {
    const bounds: number[] = [];
    await KMeans.fit(X, { nClusters: 7, init: 'random', nInit: 1, tol: 0, maxIter: 50, onIteration: (i) => bounds.push(i.lowerBound) });
    expect(bounds.length).toBe(50);
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]!).toBeGreaterThanOrEqual(bounds[i - 1]! - 1e-10 * Math.abs(bounds[i - 1]!));
  });
  it('labels agree with predict, and the inertia with the labels', async () => {
    const km = await KMeans.fit(X, { nClusters: 4, seed: 3 });
    expect(Array.from(km.predict(X))).toEqual(Array.from(km.labels));
    let inertia = 0;
    X.forEach((r, i) => (inertia += r.reduce((s, v, j) => s + (v - km.clusterCenters[km.labels[i]!]![j]!) ** 2, 0)));
    expect(km.inertia).toBeCloseTo(inertia, 8);
  });
  it('nInit never worse than one run, and finds the four blobs', async () => {
    const one = await KMeans.fit(X, { nClusters: 4, init: 'random', nInit: 1, seed: 1 });
    const ten = await KMeans.fit(X, { nClusters: 4, init: 'random', nInit: 10, seed: 1 });
    expect(ten.inertia).toBeLessThanOrEqual(one.inertia + 1e-9);
    const sorted = ten.clusterCenters.map((c) => c.map((v) => Math.round(v / 8) * 8)).map(String).sort();
    expect(sorted).toEqual(['0,0', '0,8', '8,0', '8,8']);
  });
  it('an empty cluster is moved onto the farthest point', async () => {
    const pts = [[0], [0.1], [0.2], [10], [10.1], [30]];
    const km = await KMeans.fit(pts, { nClusters: 3, init: [[0.1], [10], [1000]], maxIter: 1, tol: 0 });
    // The centre at 1000 gets no points; it is relocated to 30, the sample farthest from its centre.
    expect(km.clusterCenters.map((c) => c[0])).toEqual([expect.closeTo(0.1, 12), expect.closeTo(10.05, 12), expect.closeTo(30, 12)]);
  });
  it('integer sample weights equal duplicated rows', async () => {
    const Xs = X.slice(0, 100);
    const w = Xs.map((_, i) => (i % 4) + (i % 5 === 0 ? 0 : 1));
    const dup = Xs.flatMap((r, i) => Array.from({ length: w[i]! }, () => r));
    const init = [[0, 0], [8, 0], [0, 8], [8, 8]];
    const a = await KMeans.fit(Xs, { nClusters: 4, init, sampleWeight: w });
    const b = await KMeans.fit(dup, { nClusters: 4, init });
    expectClose(a.clusterCenters, b.clusterCenters, 1e-12, 'centres');
    expectClose(a.inertia, b.inertia, 1e-12, 'inertia');
  });
  it('tol 0 runs every iteration', async () => {
    const km = await KMeans.fit(X, { nClusters: 4, tol: 0, maxIter: 37 });
    expect(km.nIter).toBe(37);
  });
  it('the same seed gives identical results', async () => {
    const a = await KMeans.fit(X, { nClusters: 5, seed: 9 });
    const b = await KMeans.fit(X, { nClusters: 5, seed: 9 });
    expect(a.clusterCenters).toEqual(b.clusterCenters);
    expect(a.inertia).toBe(b.inertia);
  });
  it('JSON round trip predicts identically', async () => {
    const a = await KMeans.fit(X, { nClusters: 4 });
    const b = await KMeans.fromJSON(JSON.stringify(a));
    expect(Array.from(b.predict(X))).toEqual(Array.from(a.labels));
  });
});
