// One deterministic script, run unchanged in Node and in a browser page (served as a module), so the two
// results can be compared bit for bit. `latent` is the built package (dist/index.js) on both sides.

const LENGTHS = [50, 50, 50];

/** Every number reachable from v (arrays, typed arrays, Matrix objects), in order. */
function flatten(v) {
  if (typeof v === 'number') return [v];
  if (typeof v === 'boolean') return [v ? 1 : 0];
  if (v && typeof v === 'object' && 'data' in v && 'rows' in v) return Array.from(v.data);
  return Array.from(v, flatten).flat();
}

/** The IEEE-754 bits of each number as 16 hex digits: equal strings ⇔ bit-identical doubles (−0 and NaN included). */
function bits(values) {
  const dv = new DataView(new ArrayBuffer(8));
  return values.map((x) => {
    dv.setFloat64(0, x);
    return dv.getBigUint64(0).toString(16).padStart(16, '0');
  });
}

/** Fits a full-covariance GaussianMixture and a GaussianHMM (fixed seeds) to X and reads back everything. */
export async function fitEverywhere(latent, X) {
  const gm = await latent.GaussianMixture.fit(X, { nComponents: 3, covarianceType: 'full', nInit: 2, seed: 7 });
  const hmm = await latent.GaussianHMM.fit(X, { nStates: 3, covarianceType: 'full', lengths: LENGTHS, maxIter: 30, seed: 7 });
  const decoded = hmm.decode(X, { lengths: LENGTHS });
  const gmSample = gm.sample(20, { seed: 3 });
  const hmmSample = hmm.sample(20, { seed: 3 });
  const results = {
    'gmm.weights': gm.weights,
    'gmm.means': gm.means,
    'gmm.covariances': gm.covariances,
    'gmm.converged': gm.converged,
    'gmm.nIter': gm.nIter,
    'gmm.lowerBound': gm.lowerBound,
    'gmm.lowerBounds': gm.lowerBounds,
    'gmm.score': gm.score(X),
    'gmm.scoreSamples': gm.scoreSamples(X),
    'gmm.predictProba': gm.predictProba(X),
    'gmm.sample': [...flatten(gmSample.X), ...gmSample.labels],
    'hmm.startProb': hmm.startProb,
    'hmm.transMat': hmm.transMat,
    'hmm.means': hmm.means,
    'hmm.covars': hmm.covars,
    'hmm.nIter': hmm.nIter,
    'hmm.lowerBounds': hmm.lowerBounds,
    'hmm.score': hmm.score(X, LENGTHS),
    'hmm.decode': [decoded.logProb, ...decoded.states],
    'hmm.predictProba': hmm.predictProba(X, LENGTHS),
    'hmm.sample': [...flatten(hmmSample.X), ...hmmSample.states],
  };
  return Object.fromEntries(Object.entries(results).map(([key, v]) => [key, bits(flatten(v))]));
}
