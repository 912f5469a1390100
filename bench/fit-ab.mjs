// A/B timing of whole fits between two builds of latent, for a change's commit message: the per-iteration time of
// a benchmark case of bench/run.mjs (same data, same start), both builds taking turns in the same rounds
// (bench/timing.mjs), and the median of the within-round ratios.
//
//   git stash && npm run build && cp -r dist /tmp/dist-a && git stash pop && npm run build
//   node bench/fit-ab.mjs /tmp/dist-a/index.js dist/index.js [A1|A2full|A2diag|A3|KMeans] [rounds]
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { caseData, nest } from './data.mjs';
import { compareRounds, timeOnce } from './timing.mjs';

const [fileA, fileB, name = 'A1', roundsArg = '15'] = process.argv.slice(2);
if (!fileA || !fileB) throw new Error('usage: node bench/fit-ab.mjs A/index.js B/index.js [A1|A2full|A2diag|A3|KMeans] [rounds]');
const CASES = {
  A1: { data: 'A1', kind: 'gmm', covType: 'full', lo: 2, hi: 22 },
  A2full: { data: 'A2', kind: 'gmm', covType: 'full', lo: 1, hi: 6 },
  A2diag: { data: 'A2', kind: 'gmm', covType: 'diag', lo: 2, hi: 12 },
  A3: { data: 'A3', kind: 'gmm', covType: 'full', lo: 1, hi: 5 },
  KMeans: { data: 'KM', kind: 'kmeans', lo: 2, hi: 16 },
};
const c = CASES[name];
if (!c) throw new Error(`unknown case ${name}; one of ${Object.keys(CASES).join(', ')}`);
const { x, n, d, k, init } = caseData(c.data, c.kind, c.covType);
const X = { data: x, rows: n, cols: d };

const fit = (lib, maxIter) =>
  c.kind === 'kmeans'
    ? lib.KMeans.fit(X, { nClusters: k, init: nest(init.centers, [k, d]), tol: 0, maxIter })
    : lib.GaussianMixture.fit(X, {
        nComponents: k,
        covarianceType: c.covType,
        tol: 0,
        maxIter,
        init: 'random_from_data', // all three parameters are overridden below
        weightsInit: Array.from(init.weights),
        meansInit: nest(init.means, [k, d]),
        precisionsInit: nest(init.precisions, c.covType === 'full' ? [k, d, d] : [k, d]),
        regCovar: 1e-6,
      });

const libs = { A: await import(pathToFileURL(resolve(fileA)).href), B: await import(pathToFileURL(resolve(fileB)).href) };
const entries = Object.entries(libs).map(([key, lib]) => ({ key, lo: c.lo, hi: c.hi, time: (m) => timeOnce(`${key} ${name} n=${m}`, () => fit(lib, m)) }));
const { results, ratio } = await compareRounds(name, entries, Number(roundsArg));
console.log(
  `${name} (${n} × ${d}, k = ${k}), ${roundsArg} rounds; Node ${process.version}: A ${results.A.ms.toFixed(3)} ms/iter, ` +
    `B ${results.B.ms.toFixed(3)} ms/iter, B/A ${ratio('A', 'B').toFixed(3)} (median of within-round ratios)`,
);
