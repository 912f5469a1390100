import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GaussianMixture } from '../src/index.js';
import { expectClose } from './helpers/close.js';

// Fixtures written by scripts/fixtures/make_fixtures.py with Debian's scikit-learn 1.2.
const fx = JSON.parse(readFileSync(new URL('./fixtures/sklearn-gmm.json', import.meta.url), 'utf8'));
const RTOL = 1e-8;

describe('GaussianMixture agrees with scikit-learn 1.2 from identical initial parameters', () => {
  for (const c of fx.cases) {
    const name = `${c.dataset}, ${c.covarianceType}, K=${c.nComponents}, maxIter=${c.options.maxIter}`;
    it(name, async () => {
      const X = fx.datasets[c.dataset].X as number[][];
      const gm = await GaussianMixture.fit(X, {
        nComponents: c.nComponents,
        covarianceType: c.covarianceType,
        maxIter: c.options.maxIter,
        tol: c.options.tol,
        regCovar: c.options.regCovar,
        weightsInit: c.init.weightsInit,
        meansInit: c.init.meansInit,
        precisionsInit: c.init.precisionsInit,
      });
      const e = c.expected;
      expect(gm.nIter).toBe(e.nIter);
      expectClose(gm.weights, e.weights, RTOL, 'weights');
      expectClose(gm.means, e.means, RTOL, 'means');
      expectClose(gm.covariances, e.covariances, RTOL, 'covariances');
      expectClose(gm.precisions, e.precisions, RTOL, 'precisions');
      expectClose(gm.precisionsCholesky, e.precisionsCholesky, RTOL, 'precisionsCholesky');
      expectClose(gm.lowerBound, e.lowerBound, RTOL, 'lowerBound');
      expectClose(gm.score(X), e.score, RTOL, 'score');
      expectClose(gm.scoreSamples(X), e.scoreSamples, RTOL, 'scoreSamples');
      expectClose(gm.predictProba(X), e.predictProba, RTOL, 'predictProba');
      expectClose(gm.bic(X), e.bic, RTOL, 'bic');
      expectClose(gm.aic(X), e.aic, RTOL, 'aic');
      expect(Array.from(gm.predict(X))).toEqual(e.predict);
    });
  }
});
