// Benchmarks latent's GaussianHMM (Baum–Welch on wasm SIMD kernels) against a plain JavaScript Baum–Welch
// (bench/hmm-plain.mjs) and pomegranate 0.14 (scripts/bench/pomegranate_bench.py, Debian's /usr/bin/python3,
// one BLAS/OpenMP thread) on identical data and identical initial parameters.
//
// Data: 100 sequences × 1000 steps, D = 4, sampled from a known K = 6 state HMM with full covariances by a
// seeded PRNG. Per-iteration time = (T(n_hi) − T(n_lo)) / (n_hi − n_lo) with tol = 0, so setup (validation,
// upload, the final E-step) cancels; each T is a tinybench median. Cases: diag and full covariances.
// Viterbi: steps per second of `decode` on all 100 000 steps with the generating parameters.
//
//   npm run bench:hmm                            full run (builds first); writes bench/HMM-RESULTS.md
//   node bench/hmm-run.mjs --quick               10 sequences, few repeats (smoke test; results file untouched)
//   options: --only=diag,full  --no-latent  --no-plain  --no-pomegranate
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRounds, lineWorker, medianMs, timeOnce } from './timing.mjs';
import { hmmFit, hmmScore, hmmViterbi } from './hmm-plain.mjs';
import { cholLower, makeRng, nest, randomCovariance } from './data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const RUN = { latent: !args.has('--no-latent'), plain: !args.has('--no-plain'), pomegranate: !args.has('--no-pomegranate') };
const PYTHON = '/usr/bin/python3';
const MIN_TIME_MS = QUICK ? 0 : 1000; // Viterbi: at least this much tinybench sampling
// Baum–Welch: alternating rounds of T(n_lo), T(n_hi), each T a tinybench median (bench/timing.mjs).
const ROUNDS = QUICK ? 1 : 15; // as many as bench/run.mjs: latent's per-round slopes scatter by 2× on this host
const PY_REPEATS = QUICK ? 1 : 7;
const AGREE_TOL = 1e-8; // relative agreement demanded between latent and plain JS
const REG_COVAR = 1e-6;
const N_LO = 2;
const N_HI = 10;
const GOAL_POMEGRANATE = 40;
const GOAL_PLAIN = 10;

const N_SEQ = QUICK ? 10 : 100;
const SEQ_LEN = 1000;
const D = 4;
const K = 6;

// ---------------------------------------------------------------- deterministic data

/**
 * The generating HMM: sticky transitions (self 0.85–0.95, the rest spread at random), means ~ N(0, 2.5²·I),
 * covariances s·AAᵀ/D + 0.1·I (A standard normal, s ∈ [0.3, 1.5]).
 */
function trueModel(seed) {
  const rng = makeRng(seed);
  const startProb = Float64Array.from({ length: K }, () => 0.5 + rng.uniform());
  const st = startProb.reduce((a, v) => a + v, 0);
  for (let s = 0; s < K; s++) startProb[s] /= st;
  const transMat = new Float64Array(K * K);
  for (let i = 0; i < K; i++) {
    const self = 0.85 + 0.1 * rng.uniform();
    const off = Array.from({ length: K }, (_, j) => (j === i ? 0 : 0.1 + rng.uniform()));
    const os = off.reduce((a, v) => a + v, 0);
    for (let j = 0; j < K; j++) transMat[i * K + j] = j === i ? self : ((1 - self) * off[j]) / os;
  }
  const means = Float64Array.from({ length: K * D }, () => 2.5 * rng.normal());
  const covars = new Float64Array(K * D * D);
  for (let c = 0; c < K; c++) covars.set(randomCovariance(rng, D, 0.1), c * D * D);
  return { startProb, transMat, means, covars };
}

/** nSeq sequences of length len from the model, concatenated row-major; the hidden states alongside. */
function sampleSequences(model, seed, nSeq, len) {
  const rng = makeRng(seed);
  const chols = Array.from({ length: K }, (_, c) => cholLower(model.covars.subarray(c * D * D, (c + 1) * D * D), D));
  const x = new Float64Array(nSeq * len * D);
  const states = new Int32Array(nSeq * len);
  const z = new Float64Array(D);
  let row = 0;
  for (let q = 0; q < nSeq; q++) {
    let s = rng.categorical(model.startProb);
    for (let t = 0; t < len; t++, row++) {
      if (t > 0) s = rng.categorical(model.transMat, s * K, K);
      states[row] = s;
      for (let j = 0; j < D; j++) z[j] = rng.normal();
      const l = chols[s];
      for (let a = 0; a < D; a++) {
        let v = model.means[s * D + a];
        for (let b = 0; b <= a; b++) v += l[a * D + b] * z[b];
        x[row * D + a] = v;
      }
    }
  }
  return { x, states };
}

/**
 * Fixed starting point, shared by every implementation: uniform start, transitions 0.6·I + 0.4/K, the true
 * means moved by N(0, 0.75²) noise, every state's covariance the pooled (biased) data covariance (diag: its
 * diagonal).
 */
function initialParams(model, x, n, seed, covType) {
  const rng = makeRng(seed);
  const startProb = new Float64Array(K).fill(1 / K);
  const transMat = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) transMat[i * K + j] = (i === j ? 0.6 : 0) + 0.4 / K;
  const means = model.means.map((v) => v + 0.75 * rng.normal());
  const mu = new Float64Array(D);
  for (let i = 0; i < n; i++) for (let j = 0; j < D; j++) mu[j] += x[i * D + j];
  for (let j = 0; j < D; j++) mu[j] /= n;
  const cov = new Float64Array(D * D);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < D; a++) {
      const da = x[i * D + a] - mu[a];
      for (let b = 0; b < D; b++) cov[a * D + b] += da * (x[i * D + b] - mu[b]);
    }
  }
  for (let p = 0; p < D * D; p++) cov[p] /= n;
  let covars;
  if (covType === 'full') {
    covars = new Float64Array(K * D * D);
    for (let c = 0; c < K; c++) covars.set(cov, c * D * D);
  } else {
    covars = new Float64Array(K * D);
    for (let c = 0; c < K; c++) for (let j = 0; j < D; j++) covars[c * D + j] = cov[j * D + j];
  }
  return { startProb, transMat, means, covars };
}


// ---------------------------------------------------------------- timing helpers


const fmt = (v, digits = 3) => (v === undefined || !Number.isFinite(v) ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(digits));
const fmtRate = (v) => (Number.isFinite(v) ? (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M` : `${(v / 1e3).toFixed(1)} k`) : '—');
const relDiff = (a, b) => Math.abs(a - b) / Math.max(1, Math.abs(b));
const maxAbsDiff = (a, b) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};
const log = (s) => process.stderr.write(`${s}\n`);

// ---------------------------------------------------------------- setup

const truth = trueModel(11);
const { x, states: trueStates } = sampleSequences(truth, 12, N_SEQ, SEQ_LEN);
const N = N_SEQ * SEQ_LEN;
const lengths = Array.from({ length: N_SEQ }, () => SEQ_LEN);
const X = { data: x, rows: N, cols: D };

const CASES = [
  { name: 'diag', covType: 'diag' },
  { name: 'full', covType: 'full' },
].filter((c) => !only || only.includes(c.name));
for (const c of CASES) {
  c.init = initialParams(truth, x, N, 13, c.covType);
  // Decoding parameters: the generating model (diag: the diagonals of its covariances).
  c.truth = c.covType === 'full' ? truth : { ...truth, covars: Float64Array.from({ length: K * D }, (_, p) => truth.covars[Math.floor(p / D) * D * D + (p % D) * (D + 1)]) };
  c.res = {};
}

const notes = [];
for (const f of ['gauss-diag.ts', 'gauss-full.ts', 'cholesky.ts']) {
  const p = join(root, 'assembly', 'kernels', f);
  if (existsSync(p) && readFileSync(p, 'utf8').includes('STUB')) notes.push(`assembly/kernels/${f} is still a STUB in this checkout: latent's numbers are not meaningful`);
}
notes.forEach((n) => log(`WARNING: ${n}`));

let latent;
if (RUN.latent) latent = await import(join(root, 'dist', 'index.js'));

const latentFit = (c, maxIter) =>
  latent.GaussianHMM.fit(X, {
    nStates: K,
    covarianceType: c.covType,
    lengths,
    maxIter,
    tol: 0,
    startProbInit: Array.from(c.init.startProb),
    transMatInit: nest(c.init.transMat, [K, K]),
    meansInit: nest(c.init.means, [K, D]),
    covarsInit: nest(c.init.covars, c.covType === 'full' ? [K, D, D] : [K, D]),
    regCovar: REG_COVAR,
  });
const plainFit = (c, maxIter, reg = REG_COVAR) => hmmFit(x, lengths, D, K, c.init, c.covType, maxIter, reg);

// ---------------------------------------------------------------- pomegranate worker

// pomegranate through the system python (one thread), as a worker that times one fit per request
// (scripts/bench/pomegranate_bench.py), so that its fits take turns with ours in the same rounds.
let pomMeta;
let pomNote = '';
let pom;
let pomDir;
if (RUN.pomegranate) {
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', BLIS_NUM_THREADS: '1' };
  const probe = spawnSync(PYTHON, ['-c', 'import pomegranate, numpy; print(pomegranate.__version__)'], { env, encoding: 'utf8' });
  if (probe.status !== 0) {
    pomNote = `pomegranate column skipped: ${PYTHON} cannot import pomegranate (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
    log(pomNote);
  } else {
    pomDir = mkdtempSync(join(os.tmpdir(), 'latent-hmm-bench-'));
    const put = (name, arr) => {
      writeFileSync(join(pomDir, name), new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
      return name;
    };
    const meta = { n: N, d: D, k: K, lengths, x: put('X.bin', x), repeats: PY_REPEATS, minSeconds: 0, cases: [] };
    for (const c of CASES) {
      const entry = { name: c.name, covType: c.covType, truth: {} };
      for (const [key, arr] of Object.entries(c.init)) entry[key] = put(`${c.name}.${key}.bin`, arr);
      for (const [key, arr] of Object.entries(c.truth)) entry.truth[key] = put(`${c.name}.truth.${key}.bin`, arr);
      meta.cases.push(entry);
    }
    writeFileSync(join(pomDir, 'meta.json'), JSON.stringify(meta, null, 2));
    log(`pomegranate ${probe.stdout.trim()} (${PYTHON}, 1 thread) …`);
    pom = lineWorker(PYTHON, [join(root, 'scripts', 'bench', 'pomegranate_bench.py'), pomDir], env);
    pomMeta = await pom.first;
  }
}

// ---------------------------------------------------------------- Baum–Welch timing

for (const c of CASES) {
  let last;
  const entries = [];
  if (RUN.latent) entries.push({ key: 'latent', lo: N_LO, hi: N_HI, time: (n) => timeOnce(`latent ${c.name} n=${n}`, () => latentFit(c, n)) });
  if (RUN.plain) entries.push({ key: 'plain', lo: N_LO, hi: N_HI, time: (n) => timeOnce(`plain ${c.name} n=${n}`, () => void (n === N_HI ? (last = plainFit(c, n)) : plainFit(c, n))) });
  if (pom) entries.push({ key: 'pomegranate', lo: N_LO, hi: N_HI, time: async (n) => (await pom.request({ op: 'fit', case: c.name, n })).ms });
  log(`${c.name}: ${entries.map((e) => e.key).join(', ')} in alternating rounds …`);
  const { results, ratio } = await compareRounds(c.name, entries, ROUNDS);
  c.ratio = { pomegranate: ratio('latent', 'pomegranate'), plain: ratio('latent', 'plain') };
  if (RUN.latent) {
    const m = await latentFit(c, N_HI);
    c.res.latent = {
      ...results.latent,
      logLiks: m.lowerBounds.slice(), nIter: m.nIter,
      score: m.score(X, lengths), means: Float64Array.from(m.means.flat()), startProb: Float64Array.from(m.startProb),
    };
  }
  if (RUN.plain) {
    const noReg = plainFit(c, N_HI, 0); // pomegranate adds no regularisation: the like-for-like reference
    c.res.plain = {
      ...results.plain,
      logLiks: last.logLiks, nIter: last.logLiks.length,
      score: hmmScore(x, lengths, D, K, last, c.covType), means: last.means, startProb: last.startProb,
      scoreNoReg: hmmScore(x, lengths, D, K, noReg, c.covType), meansNoReg: noReg.means,
    };
  }
  if (pom) {
    const r = await pom.request({ op: 'fit', case: c.name, n: N_HI, result: true });
    c.res.pomegranate = { ...results.pomegranate, score: r.logLik, means: Float64Array.from(r.means.flat()) };
  }
}

// ---------------------------------------------------------------- Viterbi (generating parameters)

for (const c of CASES) {
  c.vit = {};
  const reps = QUICK ? 2 : 10;
  const p = c.truth;
  if (RUN.latent) {
    log(`latent  ${c.name} viterbi …`);
    const model = await latent.GaussianHMM.fromParams({
      covarianceType: c.covType,
      startProb: Array.from(p.startProb),
      transMat: nest(p.transMat, [K, K]),
      means: nest(p.means, [K, D]),
      covars: nest(p.covars, c.covType === 'full' ? [K, D, D] : [K, D]),
    });
    let out;
    const ms = await medianMs(`latent decode ${c.name}`, () => void (out = model.decode(X, { lengths })), { iterations: reps, timeMs: MIN_TIME_MS });
    c.vit.latent = { ms, logProb: out.logProb, states: out.states };
  }
  if (RUN.plain) {
    log(`plain   ${c.name} viterbi …`);
    let out;
    const ms = await medianMs(`plain viterbi ${c.name}`, () => void (out = hmmViterbi(x, lengths, D, K, p, c.covType)), { iterations: reps, timeMs: MIN_TIME_MS });
    c.vit.plain = { ms, logProb: out.logProb, states: out.states };
  }
}

if (pom) {
  for (const c of CASES) {
    const r = await pom.request({ op: 'viterbi', case: c.name });
    c.vit.pomegranate = { ...r, states: Int32Array.from(r.states) };
  }
  pom.close();
  rmSync(pomDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------- report

const cpus = os.cpus();
const machine = `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} logical cores, ${os.platform()} ${os.release()}`;
const stamp = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const lines = [];
lines.push('# latent — Gaussian HMM benchmarks', '');
lines.push(`- Machine: ${machine}`);
lines.push(`- Node ${process.version}; ${stamp}${QUICK ? ` — QUICK smoke run (${N_SEQ} sequences), not representative` : ''}`);
if (pomMeta) lines.push(`- pomegranate ${pomMeta.pomegranate}, numpy ${pomMeta.numpy}, Python ${pomMeta.python} (${PYTHON}); OMP/OPENBLAS/MKL/BLIS_NUM_THREADS=1, n_jobs=1`);
if (pomNote) lines.push(`- ${pomNote}`);
for (const n of notes) lines.push(`- **WARNING: ${n}**`);
lines.push(`- Data: ${N_SEQ} sequences × ${SEQ_LEN} steps (N = ${N.toLocaleString('en-US')}), D = ${D}, sampled from a known K = ${K} HMM with full covariances (seeded xoshiro128**); identical fixed initial parameters for all implementations; regCovar = ${REG_COVAR} (latent, plain JS)`);
lines.push(
  `- Per case, latent, plain JS and pomegranate take turns in ${ROUNDS} rounds after one warm-up each: a round times one fit of ${N_LO} and one of ${N_HI} iterations of each, tol = 0 (tinybench; pomegranate: time.perf_counter in a persistent worker, model built outside the timer; bench/timing.mjs)`,
  `- ms/iter = median over rounds of (T(${N_HI}) − T(${N_LO})) / ${N_HI - N_LO}; the ratios are medians over rounds of the ratio within a round, so that a slow phase of this host (a plain loop runs 1.5× slower for up to tens of seconds) slows both sides of a ratio alike`,
);
lines.push(`- Command: \`npm run bench:hmm\``);
lines.push('');
lines.push(`| case | latent ms/iter | plain JS ms/iter | pomegranate ms/iter | latent vs pomegranate (goal ≥ ${GOAL_POMEGRANATE}×) | latent vs plain JS (goal ≥ ${GOAL_PLAIN}×) | latent = plain JS (≤ ${AGREE_TOL}) | Viterbi steps/s: latent / plain JS / pomegranate |`);
lines.push('|---|---:|---:|---:|---:|---:|---|---|');
const mark = (v, goal) => (Number.isFinite(v) ? `${fmt(v)}× ${v >= goal ? '✓' : '✗'}` : '—');
let allAgree = true;
for (const c of CASES) {
  const { latent: L, plain: P, pomegranate: G } = c.res;
  if (L && P) {
    c.agreeBound = relDiff(L.logLiks[N_HI - 1], P.logLiks[N_HI - 1]);
    c.agreeTraj = Math.max(...L.logLiks.map((v, i) => relDiff(v, P.logLiks[i])));
    c.agreeScore = relDiff(L.score, P.score);
    c.agree = L.nIter === P.nIter && c.agreeTraj <= AGREE_TOL && c.agreeScore <= AGREE_TOL;
    allAgree &&= c.agree;
  }
  lines.push(
    `| ${c.name} | ${fmt(L?.ms)} | ${fmt(P?.ms)} | ${fmt(G?.ms)} | ${mark(c.ratio?.pomegranate ?? NaN, GOAL_POMEGRANATE)} | ${mark(c.ratio?.plain ?? NaN, GOAL_PLAIN)} | ${c.agree === undefined ? '—' : c.agree ? 'yes' : '**NO**'} | ${['latent', 'plain', 'pomegranate'].map((i) => fmtRate(N / (c.vit[i]?.ms / 1000))).join(' / ')} |`,
  );
}
lines.push('');
lines.push('Setup (T(n_lo) − n_lo·ms/iter: validation, upload, initialisation, final E-step; pomegranate: model input checks, first E-step bookkeeping), ms:', '');
lines.push('| case | latent | plain JS | pomegranate |', '|---|---:|---:|---:|');
for (const c of CASES) {
  const s = (r) => (r ? fmt(r.tLo - N_LO * r.ms) : '—');
  lines.push(`| ${c.name} | ${s(c.res.latent)} | ${s(c.res.plain)} | ${s(c.res.pomegranate)} |`);
}

lines.push('');
lines.push(`Viterbi decoding of all ${N.toLocaleString('en-US')} steps (${N_SEQ} sequences) with the generating parameters (diag: the diagonals of its covariances), median of ≥ ${QUICK ? 2 : 10} runs:`, '');
lines.push('| case | implementation | ms | steps/s | log-probability | states equal to latent\'s | rel. diff log-prob vs latent | states equal to the true ones |', '|---|---|---:|---:|---:|---:|---:|---:|');
for (const c of CASES) {
  const v = c.vit;
  for (const [name, r] of [['latent `decode`', v.latent], ['plain JS', v.plain], ['pomegranate `viterbi` per sequence', v.pomegranate]]) {
    if (!r) continue;
    let same = '—';
    let dlp = '—';
    if (v.latent && r !== v.latent) {
      let eq = 0;
      for (let i = 0; i < N; i++) if (r.states[i] === v.latent.states[i]) eq++;
      same = `${eq.toLocaleString('en-US')} / ${N.toLocaleString('en-US')}`;
      dlp = relDiff(r.logProb, v.latent.logProb).toExponential(1);
    }
    let truthEq = 0;
    for (let i = 0; i < N; i++) if (r.states[i] === trueStates[i]) truthEq++;
    lines.push(`| ${c.name} | ${name} | ${fmt(r.ms)} | ${fmtRate(N / (r.ms / 1000))} | ${r.logProb.toPrecision(12)} | ${same} | ${dlp} | ${((100 * truthEq) / N).toFixed(2)} % |`);
  }
}

lines.push('');
lines.push(`Agreement after ${N_HI} iterations. latent vs plain JS must agree to ${AGREE_TOL} (relative, ÷ max(1, |value|)); pomegranate is compared with plain JS run without regCovar (pomegranate adds no regularisation), and with regCovar = ${REG_COVAR} for reference:`, '');
lines.push('| case | pair | quantity | value A | value B | rel. diff | max abs diff means |', '|---|---|---|---:|---:|---:|---:|');
for (const c of CASES) {
  const { latent: L, plain: P, pomegranate: G } = c.res;
  if (L && P) {
    lines.push(`| ${c.name} | latent vs plain JS | log-lik. entering iteration ${N_HI} (lowerBounds[${N_HI - 1}]) | ${L.logLiks[N_HI - 1].toPrecision(14)} | ${P.logLiks[N_HI - 1].toPrecision(14)} | ${c.agreeBound.toExponential(1)} | — |`);
    lines.push(`| ${c.name} | latent vs plain JS | max over the ${N_HI} lowerBounds | | | ${c.agreeTraj.toExponential(1)} | — |`);
    lines.push(`| ${c.name} | latent vs plain JS | score after ${N_HI} M-steps | ${L.score.toPrecision(14)} | ${P.score.toPrecision(14)} | ${c.agreeScore.toExponential(1)} | ${maxAbsDiff(L.means, P.means).toExponential(1)} |`);
  }
  if (G && P) {
    lines.push(`| ${c.name} | pomegranate vs plain JS, regCovar 0 | log-lik. after ${N_HI} M-steps | ${G.score.toPrecision(14)} | ${P.scoreNoReg.toPrecision(14)} | ${relDiff(G.score, P.scoreNoReg).toExponential(1)} | ${maxAbsDiff(G.means, P.meansNoReg).toExponential(1)} |`);
    lines.push(`| ${c.name} | pomegranate vs plain JS, regCovar ${REG_COVAR} | log-lik. after ${N_HI} M-steps | ${G.score.toPrecision(14)} | ${P.score.toPrecision(14)} | ${relDiff(G.score, P.score).toExponential(1)} | ${maxAbsDiff(G.means, P.means).toExponential(1)} |`);
  }
}
lines.push('', allAgree ? 'All latent / plain JS agreement checks passed.' : '**Some latent / plain JS agreement checks FAILED** — see the table above.');

const md = lines.join('\n') + '\n';
process.stdout.write(`\n${md}`);
if (!QUICK && !only && RUN.latent && RUN.plain && RUN.pomegranate && notes.length === 0) writeFileSync(join(here, 'HMM-RESULTS.md'), md);
else log('(partial, quick or stub-kernel run: bench/HMM-RESULTS.md not written)');
if (!allAgree) process.exitCode = 1;
