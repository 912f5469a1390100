import { describe, expect, it } from 'vitest';
import { AbortError, DegenerateComponentError, GaussianMixture, KMeans, LatentError, ShapeError, ValidationError } from '../src/index.js';
import { blobs, flat, testRng } from './helpers/close.js';

const X = blobs(testRng(2), 60, [[0, 0], [5, 5]], [1, 1]).X;

async function rejects(p: Promise<unknown>, type: new (...a: never[]) => Error, message: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected a rejection').toBeInstanceOf(type);
  expect(err).toBeInstanceOf(LatentError);
  expect((err as Error).message).toMatch(message);
}

describe('bad input gets a typed error naming what was expected and what arrived', () => {
  it('NaN in data', () => rejects(GaussianMixture.fit([[1, 2], [NaN, 1], [3, 3]]), ValidationError, /finite numbers, got NaN at row 1, column 0/));
  it('Infinity in data', () => rejects(KMeans.fit([[1, 2], [3, Infinity]], { nClusters: 1 }), ValidationError, /got Infinity at row 1, column 1/));
  it('-Infinity in a Matrix', () =>
    rejects(GaussianMixture.fit({ data: new Float64Array([1, -Infinity]), rows: 2, cols: 1 }), ValidationError, /-Infinity at row 1/));
  it('ragged rows', () => rejects(GaussianMixture.fit([[1, 2], [3]]), ShapeError, /ragged: row 0 has 2 values, row 1 has 1/));
  it('empty data', () => rejects(GaussianMixture.fit([]), ShapeError, /non-empty, got 0×/));
  it('a non-number cell', () => rejects(GaussianMixture.fit([[1, 2], [3, '4' as unknown as number]]), ValidationError, /string "4" at row 1, column 1/));
  it('Matrix data of the wrong length', () =>
    rejects(GaussianMixture.fit({ data: new Float64Array(5), rows: 2, cols: 3 }), ShapeError, /6 values, got 5/));
  it('fewer samples than components', () => rejects(GaussianMixture.fit(X.slice(0, 2), { nComponents: 3 }), ShapeError, /nComponents \(3\).*got 2 samples/));
  it('fewer samples than clusters', () => rejects(KMeans.fit(X.slice(0, 2), { nClusters: 3 }), ShapeError, /nClusters \(3\)/));
  it('non-integer component count', () => rejects(GaussianMixture.fit(X, { nComponents: 2.5 }), ValidationError, /nComponents must be an integer ≥ 1, got 2.5/));
  it('component count < 1', () => rejects(GaussianMixture.fit(X, { nComponents: 0 }), ValidationError, /nComponents must be an integer ≥ 1, got 0/));
  it('negative sample weight', () =>
    rejects(GaussianMixture.fit(X, { sampleWeight: X.map((_, i) => (i === 4 ? -1 : 1)) }), ValidationError, /non-negative numbers, got -1 at 4/));
  it('non-finite sample weight', () =>
    rejects(KMeans.fit(X, { nClusters: 2, sampleWeight: X.map((_, i) => (i === 3 ? NaN : 1)) }), ValidationError, /got NaN at 3/));
  it('sample weights of the wrong length', () => rejects(GaussianMixture.fit(X, { sampleWeight: [1, 2] }), ShapeError, /one weight per sample \(60\), got 2/));
  it('all-zero sample weights', () => rejects(GaussianMixture.fit(X, { sampleWeight: X.map(() => 0) }), ValidationError, /positive sum/));
  it('a feature count on predict that differs from fit', async () => {
    const gm = await GaussianMixture.fit(X, { nComponents: 2 });
    expect(() => gm.predict([[1, 2, 3]])).toThrow(/2 features \(as in fit\), got 3/);
    const km = await KMeans.fit(X, { nClusters: 2 });
    expect(() => km.predict([[1]])).toThrow(ShapeError);
  });
  it('an unknown option name', () => rejects(GaussianMixture.fit(X, { ncomponents: 2 } as never), ValidationError, /unknown option "ncomponents"/));
  it('an invalid covariance type', () => rejects(GaussianMixture.fit(X, { covarianceType: 'fool' as never }), ValidationError, /covarianceType must be one of full, tied, diag, spherical, got the string "fool"/));
  it('an invalid init', () => rejects(GaussianMixture.fit(X, { init: 'kmeans+++' as never }), ValidationError, /init must be one of/));
  it('negative tol and regCovar', async () => {
    await rejects(GaussianMixture.fit(X, { tol: -1 }), ValidationError, /tol must be a finite number ≥ 0, got -1/);
    await rejects(GaussianMixture.fit(X, { regCovar: NaN }), ValidationError, /regCovar/);
  });
  it('meansInit of the wrong shape', () => rejects(GaussianMixture.fit(X, { nComponents: 3, meansInit: [[1, 2], [3, 4]] }), ShapeError, /meansInit must be 3×2, got length 2/));
  it('precisionsInit that is not positive definite', () =>
    rejects(GaussianMixture.fit(X, { nComponents: 1, precisionsInit: [[[1, 2], [2, 1]]] }), ValidationError, /positive definite/));
  it('weightsInit that does not sum to 1', () => rejects(GaussianMixture.fit(X, { nComponents: 2, weightsInit: [0.5, 0.6] }), ValidationError, /sum to 1, got 1.1/));
  it('malformed JSON', async () => {
    await rejects(GaussianMixture.fromJSON('{"kind": "GaussianMix'), ValidationError, /malformed JSON/);
    await rejects(GaussianMixture.fromJSON({ kind: 'KMeans', version: 1 }), ValidationError, /kind 'GaussianMixture'/);
    await rejects(GaussianMixture.fromJSON({ kind: 'GaussianMixture', version: 1, covarianceType: 'diag', weights: [1], means: [[0, 0]], covariances: [[1]] }), ShapeError, /covariances must be 1×2/);
    await rejects(KMeans.fromJSON('nope'), ValidationError, /malformed JSON/);
  });
  it('an aborted fit rejects with an error that says so', async () => {
    const ac = new AbortController();
    ac.abort();
    await rejects(GaussianMixture.fit(X, { signal: ac.signal }), AbortError, /aborted/);
    const ac2 = new AbortController();
    const p = GaussianMixture.fit(X, { nComponents: 2, tol: 0, maxIter: 100000, signal: ac2.signal, onIteration: ({ iter }) => iter === 3 && ac2.abort() });
    await rejects(p, AbortError, /fit aborted/);
  });
});

describe('inputs are never mutated', () => {
  it('data, weights and init arrays are unchanged by fit, predict and score', async () => {
    const data = X.map((r) => r.slice());
    const w = X.map((_, i) => 1 + (i % 3));
    const meansInit = [[0, 0], [5, 5]];
    const snapshot = JSON.stringify([data, w, meansInit]);
    const m = { data: new Float64Array(flat(data)), rows: data.length, cols: 2 };
    const copy = m.data.slice();
    const gm = await GaussianMixture.fit(data, { nComponents: 2, sampleWeight: w, meansInit });
    await GaussianMixture.fit(m, { nComponents: 2 });
    await KMeans.fit(data, { nClusters: 2, sampleWeight: w, init: meansInit });
    gm.predict(m);
    gm.score(data);
    expect(JSON.stringify([data, w, meansInit])).toBe(snapshot);
    expect(Array.from(m.data)).toEqual(Array.from(copy));
  });
  it('fitted models are immutable', async () => {
    const gm = await GaussianMixture.fit(X, { nComponents: 2 });
    expect(() => ((gm.weights as number[])[0] = 5)).toThrow();
    expect(() => ((gm as { nIter: number }).nIter = 5)).toThrow();
  });
});

describe('degenerate but valid data fits to finite parameters', () => {
  const finite = (gm: GaussianMixture): void => {
    for (const v of [...flat(gm.weights), ...flat(gm.means), ...flat(gm.covariances), ...flat(gm.precisions), gm.lowerBound]) {
      expect(Number.isFinite(v)).toBe(true);
    }
  };
  it('identical points', async () => {
    for (const covarianceType of ['full', 'tied', 'diag', 'spherical'] as const) {
      finite(await GaussianMixture.fit(Array.from({ length: 30 }, () => [2, -1]), { nComponents: 2, covarianceType }));
    }
  });
  it('collinear points', async () => finite(await GaussianMixture.fit(Array.from({ length: 50 }, (_, i) => [i, 2 * i + 1]), { nComponents: 3 })));
  it('a constant column', async () => finite(await GaussianMixture.fit(X.map((r) => [r[0]!, 7, r[1]!]), { nComponents: 2 })));
  it('more components than distinct points', async () => {
    const pts = Array.from({ length: 40 }, (_, i) => [i % 3, (i % 3) * 2]);
    finite(await GaussianMixture.fit(pts, { nComponents: 5 }));
    const km = await KMeans.fit(pts, { nClusters: 5 });
    expect(km.inertia).toBeLessThan(1e-20);
  });
  it('values near 1e+150 and 1e-150', async () => {
    for (const s of [1e150, 1e-150]) {
      const gm = await GaussianMixture.fit(X.map((r) => r.map((v) => v * s)), { nComponents: 2, regCovar: 1e-6 * s * s });
      finite(gm);
      const ref = await GaussianMixture.fit(X, { nComponents: 2 });
      // The fit is scale-equivariant: means scale by s.
      expect(flat(gm.means).map((v) => v / s)).toEqual(flat(ref.means).map((v) => expect.closeTo(v, 8)));
      for (const v of gm.scoreSamples(X.map((r) => r.map((u) => u * s)))) expect(Number.isFinite(v)).toBe(true);
    }
  });
  it('a collapsed component with regCovar 0 fails with DegenerateComponentError naming the remedies', async () => {
    const pts = [...Array.from({ length: 20 }, () => [1, 1]), ...Array.from({ length: 20 }, (_, i) => [5 + i, 3 - i * 0.5])];
    const err = await GaussianMixture.fit(pts, { nComponents: 2, regCovar: 0, meansInit: [[1, 1], [10, 0]] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DegenerateComponentError);
    expect((err as DegenerateComponentError).component).toBe(0);
    expect((err as Error).message).toMatch(/component 0 .*increase regCovar, reduce nComponents, or scale the data/);
  });
});
