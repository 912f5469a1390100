import { describe, expect, it } from 'vitest';
import { GaussianMixture, KMeans } from '../src/index.js';
import { loadRuntime } from '../src/wasm/load.js';
import { blobs, testRng } from './helpers/close.js';

describe('memory', () => {
  it('10 000 fits in a loop do not grow wasm memory beyond what the largest single fit needs', async () => {
    const rt = await loadRuntime();
    const small = blobs(testRng(1), 40, [[0, 0], [4, 4]], [1, 1]).X;
    const large = blobs(testRng(2), 3000, [[0, 0], [4, 4]], [1, 1]).X;
    await GaussianMixture.fit(large, { nComponents: 2 });
    const ws = await rt.acquire();
    const before = ws.memoryBytes;
    rt.release(ws);
    for (let i = 0; i < 10000; i++) {
      const gm = await GaussianMixture.fit(small, { nComponents: 2, maxIter: 3, seed: i });
      if (i % 1000 === 0) gm.predict(small);
      if (i % 2500 === 0) await KMeans.fit(small, { nClusters: 2, nInit: 1 });
    }
    const after = await rt.acquire();
    expect(after).toBe(ws);
    expect(after.memoryBytes).toBe(before);
    rt.release(after);
  });

  it('concurrent fits do not disturb each other', async () => {
    const { X } = blobs(testRng(3), 500, [[0, 0], [6, 0], [0, 6]], [1, 1, 1]);
    const solo = await GaussianMixture.fit(X, { nComponents: 3, tol: 0, maxIter: 200, seed: 4 });
    const both = await Promise.all([
      GaussianMixture.fit(X, { nComponents: 3, tol: 0, maxIter: 200, seed: 4 }),
      GaussianMixture.fit(X, { nComponents: 3, covarianceType: 'diag', tol: 0, maxIter: 200, seed: 4 }),
    ]);
    expect(both[0].means).toEqual(solo.means);
  });
});
