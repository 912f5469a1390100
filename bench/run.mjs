// Benchmarks latent's EM (wasm SIMD kernels) against the plain TypeScript baseline (bench/plain-em.mjs) and
// scikit-learn 1.2 (scripts/bench/sklearn_bench.py, single-threaded BLAS) on identical data and identical
// initial parameters. Per-iteration time = (T(n_hi) − T(n_lo)) / (n_hi − n_lo) with early stopping off, so
// setup (validation, upload, initialisation, the final E-step) cancels; the three implementations take turns in the
// same rounds and every figure is a median over rounds (bench/timing.mjs).
//
//   node bench/run.mjs            full run; writes bench/RESULTS.md
//   node bench/run.mjs --quick    small data, few repeats (smoke test; RESULTS.md untouched)
//   options: --only=A1,KMeans  --no-latent  --no-plain  --no-sklearn
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRounds, lineWorker, timeOnce } from './timing.mjs';
import { gmmFit, kmeansFit } from './plain-em.mjs';
import { caseData, nest } from './data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const RUN = { latent: !args.has('--no-latent'), plain: !args.has('--no-plain'), sklearn: !args.has('--no-sklearn') };
const PYTHON = '/usr/bin/python3';
// latent and plain TS: alternating rounds of T(n_lo), T(n_hi), each T a tinybench median (bench/timing.mjs).
const ROUNDS = QUICK ? 1 : 15;
const ROUNDS_SLOW = QUICK ? 1 : 5; // cases whose plain TS fit takes seconds
const AGREE_TOL = 1e-8; // relative agreement demanded of the lower bound / inertia after n iterations
const REG_COVAR = 1e-6;

// ---------------------------------------------------------------- cases

const scale = QUICK ? 20 : 1;

/** Goals are latent's speedup over sklearn; every case also aims at ≥ 10× plain TS. */
const CASES = [
  { name: 'A1 full', kind: 'gmm', data: 'A1', covType: 'full', goal: 15, iters: [2, 22], plainIters: [2, 12] },
  { name: 'A2 full', kind: 'gmm', data: 'A2', covType: 'full', goal: 3, plainIters: [1, 4] },
  { name: 'A2 diag', kind: 'gmm', data: 'A2', covType: 'diag', goal: 3, plainIters: [2, 7] },
  { name: 'A3 full', kind: 'gmm', data: 'A3', covType: 'full', goal: 1.5, plainIters: [1, 3] },
  { name: 'KMeans', kind: 'kmeans', data: 'KM', goal: 1.5, iters: [2, 16], plainIters: [2, 12] },
].filter((c) => !only || only.some((o) => c.name.replace(' ', '').toLowerCase().startsWith(o.toLowerCase())));
// latent and sklearn run n_lo and n_hi iterations, per case where the default span would leave T(n_hi) − T(n_lo)
// within reach of the setup's noise (A1, KMeans: a few ms per iteration against tens of ms of setup).
const N_LO = 2;
const N_HI = 12;
for (const c of CASES) [c.lo, c.hi] = c.iters ?? [N_LO, N_HI];
const PLAIN_GOAL = 10;

/** Flops per EM iteration (multiply and add counted separately; exp/log not counted). */
function flopsPerIter(c, n, d, k) {
  if (c.kind === 'kmeans') return 2 * n * k * d + 4 * n * d; // x·c for every centre (mul, add) + direct distance to the chosen one (sub, mul, add) + centre sums
  // full: E-step triangular product y = (x−μ)ᵀU 2·d(d+1)/2, plus x−μ and Σy² (3d);
  //       M-step weighted outer products 2·d(d+1)/2, plus means 2d, x−μ and r·(x−μ) (2d).
  if (c.covType === 'full') return n * k * (2 * d * (d + 1) + 7 * d);
  return n * k * 8 * d; // diag: E (x−μ)·p, square, add = 4d; M r·x and r·x² = 4d
}
const FLOP_MODEL =
  'full: N·K·(2·D(D+1) + 7D) = E-step triangular (x−μ)ᵀU (D(D+1)) + M-step symmetric r·(x−μ)(x−μ)ᵀ (D(D+1)) + O(D) terms; diag: 8·N·K·D; k-means: 2·N·K·D (‖c‖² − 2x·c) + 4·N·D (direct distance to the chosen centre, centre sums); exp/log not counted';

// ---------------------------------------------------------------- timing


const fmt = (v, digits = 3) => (v === undefined || !Number.isFinite(v) ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(digits));
const relDiff = (a, b) => Math.abs(a - b) / Math.max(1, Math.abs(b));
const log = (s) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------- main

for (const c of CASES) {
  Object.assign(c, caseData(c.data, c.kind, c.covType, scale));
  c.res = {};
}

let latent;
if (RUN.latent) {
  latent = await import(join(root, 'dist', 'index.js'));
}
const latentFit = (c, maxIter) => {
  const X = { data: c.x, rows: c.n, cols: c.d };
  if (c.kind === 'kmeans') return latent.KMeans.fit(X, { nClusters: c.k, init: nest(c.init.centers, [c.k, c.d]), tol: 0, maxIter });
  return latent.GaussianMixture.fit(X, {
    nComponents: c.k,
    covarianceType: c.covType,
    tol: 0,
    maxIter,
    init: 'random_from_data', // cheap setup; all three parameters are overridden by the *Init options
    weightsInit: Array.from(c.init.weights),
    meansInit: nest(c.init.means, [c.k, c.d]),
    precisionsInit: nest(c.init.precisions, c.covType === 'full' ? [c.k, c.d, c.d] : [c.k, c.d]),
    regCovar: REG_COVAR,
  });
};
const plainFit = (c, maxIter) =>
  c.kind === 'kmeans' ? kmeansFit(c.x, c.n, c.d, c.init.centers, maxIter) : gmmFit(c.x, c.n, c.d, c.init, c.covType, maxIter, REG_COVAR);
const summary = (c, m) =>
  c.kind === 'kmeans'
    ? { value: m.inertia, nIter: m.nIter, params: m.centers ?? Float64Array.from(m.clusterCenters.flat()) }
    : { value: m.lowerBound, nIter: m.nIter, params: m.means instanceof Float64Array ? m.means : Float64Array.from(m.means.flat()) };

// scikit-learn, through the system python with single-threaded BLAS, as a worker that times one fit per request
// (scripts/bench/sklearn_bench.py), so that its fits take turns with ours in the same rounds.
let sklearnNote = '';
let skMeta;
let sk;
let skDir;
if (RUN.sklearn) {
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn, numpy; print(sklearn.__version__)'], { env, encoding: 'utf8' });
  if (probe.status !== 0) {
    sklearnNote = `scikit-learn column skipped: ${PYTHON} cannot import sklearn (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
    log(sklearnNote);
  } else {
    skDir = mkdtempSync(join(os.tmpdir(), 'latent-bench-'));
    const meta = { regCovar: REG_COVAR, cases: [] };
    const written = new Set();
    for (const c of CASES) {
      const xFile = `${c.data}.X.bin`;
      if (!written.has(xFile)) {
        writeFileSync(join(skDir, xFile), new Uint8Array(c.x.buffer, c.x.byteOffset, c.x.byteLength));
        written.add(xFile);
      }
      const tag = c.name.replace(/\s+/g, '_');
      const entry = { name: c.name, kind: c.kind, covType: c.covType ?? null, n: c.n, d: c.d, k: c.k, x: xFile };
      for (const [key, arr] of Object.entries(c.init)) {
        entry[key] = `${tag}.${key}.bin`;
        writeFileSync(join(skDir, entry[key]), new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
      }
      meta.cases.push(entry);
    }
    writeFileSync(join(skDir, 'meta.json'), JSON.stringify(meta, null, 2));
    log(`sklearn (${PYTHON}, scikit-learn ${probe.stdout.trim()}, 1 BLAS thread) …`);
    sk = lineWorker(PYTHON, [join(root, 'scripts', 'bench', 'sklearn_bench.py'), skDir], env);
    skMeta = await sk.first;
  }
}

for (const c of CASES) {
  const [pLo, pHi] = c.plainIters;
  let lastPlain;
  const entries = [];
  if (RUN.latent) entries.push({ key: 'latent', lo: c.lo, hi: c.hi, time: (n) => timeOnce(`latent ${c.name} n=${n}`, () => latentFit(c, n)) });
  if (RUN.plain) {
    entries.push({ key: 'plain', lo: pLo, hi: pHi, time: (n) => timeOnce(`plain ${c.name} n=${n}`, () => void (n === pHi ? (lastPlain = plainFit(c, n)) : plainFit(c, n))) });
  }
  if (sk) {
    // scikit-learn's k-means stops on strict label convergence even with tol = 0: divide by the iterations it ran.
    const span = (await sk.request({ case: c.name, n: c.hi })).nIter - (await sk.request({ case: c.name, n: c.lo })).nIter;
    entries.push({ key: 'sklearn', lo: c.lo, hi: c.hi, span, time: async (n) => (await sk.request({ case: c.name, n })).ms });
  }
  log(`${c.name}: ${entries.map((e) => e.key).join(', ')} in alternating rounds …`);
  const { results, ratio, ratios } = await compareRounds(c.name, entries, pHi <= 4 ? ROUNDS_SLOW : ROUNDS);
  c.ratio = { sklearn: ratio('latent', 'sklearn'), plain: ratio('latent', 'plain') };
  c.ratios = { sklearn: ratios('latent', 'sklearn'), plain: ratios('latent', 'plain') };
  if (RUN.latent) {
    const at = { [c.hi]: summary(c, await latentFit(c, c.hi)) };
    if (RUN.plain && pHi !== c.hi) at[pHi] = summary(c, await latentFit(c, pHi));
    c.res.latent = { ...results.latent, at };
  }
  if (RUN.plain) c.res.plain = { ...results.plain, at: { [pHi]: summary(c, lastPlain) }, n: pHi };
  if (sk) {
    const lo = await sk.request({ case: c.name, n: c.lo });
    const hi = await sk.request({ case: c.name, n: c.hi, params: true });
    const at = { [c.hi]: { value: hi.value, nIter: hi.nIter, params: Float64Array.from(hi.params) } };
    c.res.sklearn = { ...results.sklearn, at, nIterLo: lo.nIter, nIterHi: hi.nIter };
  }
}
if (sk) {
  sk.close();
  rmSync(skDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- report

// Agreement: the same fit, run by two implementations from the same start, must land on the same numbers.
const agreeLines = [];
agreeLines.push('');
agreeLines.push(`Agreement after n iterations (GMM: lower bound; k-means: inertia; params: means / centres). Pass = relative difference ≤ ${AGREE_TOL} in the bound (÷ max(1, |value|)):`, '');
agreeLines.push('| case | pair | n | latent | other | rel. diff bound | max rel. diff params | nIter (latent / other) | check |', '|---|---|---:|---:|---:|---:|---:|---|---|');
let allAgree = true;
for (const c of CASES) {
  const L = c.res.latent;
  for (const [other, r] of [['plain TS', c.res.plain], ['sklearn', c.res.sklearn]]) {
    if (!L || !r) continue;
    for (const [nStr, o] of Object.entries(r.at)) {
      const l = L.at[nStr];
      if (!l) continue;
      const dv = relDiff(l.value, o.value);
      let scaleP = 1;
      for (const v of o.params) scaleP = Math.max(scaleP, Math.abs(v));
      let dp = 0;
      for (let p = 0; p < o.params.length; p++) dp = Math.max(dp, Math.abs(l.params[p] - o.params[p]) / scaleP);
      const ok = dv <= AGREE_TOL && l.nIter === o.nIter;
      allAgree &&= ok;
      c.agree = (c.agree ?? true) && ok;
      agreeLines.push(
        `| ${c.name} | latent vs ${other} | ${nStr} | ${l.value.toPrecision(12)} | ${o.value.toPrecision(12)} | ${dv.toExponential(1)} | ${dp.toExponential(1)} | ${l.nIter} / ${o.nIter} | ${ok ? 'PASS' : 'FAIL'} |`,
      );
    }
  }
  // Without latent, still check the two references against each other (tests the harness).
  if (!L && c.res.plain && c.res.sklearn && c.res.plain.n === c.hi) {
    const p = c.res.plain.at[c.hi];
    const s = c.res.sklearn.at[c.hi];
    const dv = relDiff(p.value, s.value);
    const ok = dv <= AGREE_TOL && p.nIter === s.nIter;
    allAgree &&= ok;
    agreeLines.push(`| ${c.name} | plain TS vs sklearn | ${c.hi} | ${p.value.toPrecision(12)} | ${s.value.toPrecision(12)} | ${dv.toExponential(1)} | — | ${p.nIter} / ${s.nIter} | ${ok ? 'PASS' : 'FAIL'} |`);
  }
}

const cpus = os.cpus();
const machine = `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} logical cores, ${os.platform()} ${os.release()}`;
const stamp = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const lines = [];
lines.push('# latent benchmarks', '');
lines.push(`- Machine: ${machine}`);
lines.push(`- Node ${process.version}; ${stamp}${QUICK ? ' — QUICK smoke run (data ÷ 20), not representative' : ''}`);
if (skMeta) lines.push(`- scikit-learn ${skMeta.sklearn}, numpy ${skMeta.numpy}, Python ${skMeta.python} (${PYTHON}); BLAS: ${skMeta.blas}; OMP/OPENBLAS/MKL_NUM_THREADS=1`);
if (sklearnNote) lines.push(`- ${sklearnNote}`);
lines.push(
  `- Per case, latent, plain TS and scikit-learn take turns in ${ROUNDS} rounds (${ROUNDS_SLOW} where a plain TS fit takes seconds), after one warm-up each: a round times one fit of n_lo and one of n_hi iterations of each (tinybench; sklearn: time.perf_counter in a persistent worker, scripts/bench/sklearn_bench.py), tol = 0, n = ${N_LO}, ${N_HI} for latent and sklearn (${CASES.filter((c) => c.iters).map((c) => `${c.name}: ${c.iters.join(', ')}`).join('; ')}), plain TS n per case below (bench/timing.mjs)`,
  `- ms/iter = median over rounds of (T(n_hi) − T(n_lo)) / (n_hi − n_lo); the ratios are medians over rounds of the ratio within a round, so that a slow phase of this host (a plain loop runs 1.5× slower for up to tens of seconds) slows both sides of a ratio alike`,
);
lines.push('- Command: `npm run bench`');
lines.push(`- GFLOP/s is latent's, from the flop model ${FLOP_MODEL}`);
lines.push('');
lines.push('| case | N × D, K | latent ms/iter | plain TS ms/iter (n) | sklearn ms/iter | latent vs sklearn (goal) | latent vs plain TS (goal ≥ 10×) | latent GFLOP/s | results agree |');
lines.push('|---|---|---:|---:|---:|---:|---:|---:|---|');
const mark = (v, goal) => (Number.isFinite(v) ? `${fmt(v)}× ${v >= goal ? '✓' : '✗'}` : '—');
for (const c of CASES) {
  const { latent: L, plain: P, sklearn: S } = c.res;
  const gf = L ? flopsPerIter(c, c.n, c.d, c.k) / (L.ms * 1e6) : NaN;
  const vsSk = c.ratio?.sklearn ?? NaN;
  const vsPl = c.ratio?.plain ?? NaN;
  lines.push(
    `| ${c.name} | ${c.n.toLocaleString('en-US')} × ${c.d}, ${c.k} | ${fmt(L?.ms)} | ${P ? `${fmt(P.ms)} (${c.plainIters.join('→')})` : '—'} | ${fmt(S?.ms)} | ${mark(vsSk, c.goal)} (≥ ${c.goal}×) | ${mark(vsPl, PLAIN_GOAL)} | ${fmt(gf)} | ${c.agree === undefined ? '—' : c.agree ? 'yes' : '**NO**'} |`,
  );
}
lines.push('');
lines.push(`Setup (T(n_lo) − n_lo·ms/iter: validation, upload, initialisation, final E-step), ms:`, '');
lines.push('| case | latent | plain TS | sklearn |', '|---|---:|---:|---:|');
for (const c of CASES) {
  const { latent: L, plain: P, sklearn: S } = c.res;
  const setup = (r, lo) => (r ? fmt(r.tLo - lo * r.ms) : '—');
  lines.push(`| ${c.name} | ${setup(L, c.lo)} | ${setup(P, c.plainIters[0])} | ${setup(S, S?.nIterLo)} |`);
}

// The spread behind each median ratio: this host's busy stretches slow latent's SIMD-bound loops more than the
// references (bench/noise.mjs), so ratios move from round to round; the goals above are judged on the medians.
const quantile = (v, q) => [...v].sort((a, b) => a - b)[Math.round(q * (v.length - 1))];
const spread = (v) => (v.length ? [0, 0.25, 0.5, 0.75, 1].map((q) => fmt(quantile(v, q))).join(' / ') : '—');
lines.push('', 'Per-round ratios (min / q25 / median / q75 / max over the rounds; the goals are judged on the medians):', '');
lines.push('| case | latent vs sklearn | latent vs plain TS |', '|---|---|---|');
for (const c of CASES) lines.push(`| ${c.name} | ${spread(c.ratios?.sklearn ?? [])} | ${spread(c.ratios?.plain ?? [])} |`);

lines.push(...agreeLines);
for (const c of CASES) {
  const S = c.res.sklearn;
  if (S && S.nIterHi < c.hi) lines.push('', `Note: sklearn ${c.name} stopped after ${S.nIterHi} < ${c.hi} iterations (strict label convergence); its ms/iter uses the iterations it ran.`);
}
lines.push('', allAgree ? 'All agreement checks passed.' : '**Some agreement checks FAILED** — a fast wrong answer is worthless; see the table above.');

const md = lines.join('\n') + '\n';
process.stdout.write(`\n${md}`);
if (!QUICK && !only && RUN.latent && RUN.plain && RUN.sklearn) writeFileSync(join(here, 'RESULTS.md'), md);
else log('(partial or quick run: bench/RESULTS.md not written)');
if (!allAgree) process.exitCode = 1;
