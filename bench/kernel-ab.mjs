// A/B timing of single kernels between two builds of the wasm module, for a kernel change's commit message:
// medians of interleaved rounds in one process, on the same data, so the host's slow phases hit both builds alike.
//
//   git stash && npm run asbuild && cp build/latent.wasm /tmp/a.wasm && git stash pop && npm run asbuild
//   node bench/kernel-ab.mjs /tmp/a.wasm build/latent.wasm [n d k]      (default 1000 4 6)
//
// Kernels: gaussDiagLogProb, gaussAccumulateDiag, gaussFullLogProb, gaussAccumulateFull, logSumExpNormalize and
// hmmForwardBackward (one sequence of n steps over k states, posteriors and transition counts on) (its timing includes refilling its in-place
// input, the same copy for both builds; add others by their export names below). Prints µs per call
// for each build and whether the two builds' outputs are bit-identical.
import { readFileSync } from 'node:fs';

const [fileA, fileB, ...dims] = process.argv.slice(2);
if (!fileA || !fileB) throw new Error('usage: node bench/kernel-ab.mjs A.wasm B.wasm [n d k]');
const [n, d, k] = dims.length ? dims.map(Number) : [1000, 4, 6];
const ROUNDS = 30;

let s = 1;
const rnd = () => ((s = (s * 16807) % 2147483647), s / 2147483647); // a seeded Lehmer generator, no Math.random
const X = Float64Array.from({ length: n * d }, rnd);
const P = Float64Array.from({ length: 2 * k * d + k }, rnd);
const U = Float64Array.from({ length: k * d * d }, (_, i) => (Math.floor(i / d) % d <= i % d ? rnd() : 0)); // upper-triangular factors
const R = Float64Array.from({ length: n * k }, rnd);
const L = Float64Array.from({ length: n * k }, () => -40 * rnd()); // log-probabilities
const A = new Float64Array(k * k); // a transition matrix: rows of positive entries summing to 1
for (let i = 0; i < k; i++) {
  let sum = 0;
  for (let j = 0; j < k; j++) sum += A[i * k + j] = 0.2 + rnd();
  for (let j = 0; j < k; j++) A[i * k + j] /= sum;
}

async function build(file) {
  const e = (await WebAssembly.instantiate(readFileSync(file), {})).instance.exports;
  const base = (e.heapBase() + 15) & ~15;
  const x = base, mean = x + n * d * 8, prec = mean + k * d * 8, cs = prec + k * d * 8, out = cs + k * 8 + 8;
  const r = out + n * k * 8, st = r + n * k * 8, uc = st + (k + k * d + k * d * d) * 8, work = uc + k * d * d * 8;
  const kp = (k + 1) & ~1;
  const trans = work + (2 * 64 * d + 2 * k * d * d + 8) * 8 + 64, start = trans + k * k * 8, xi = start + k * 8;
  const hmmWork = (xi + k * k * 8 + 15) & ~15;
  const end = hmmWork + (2 * n * kp + n + 3 * kp * kp + 4 * kp) * 8 + 64;
  e.memory.grow(Math.ceil(end / 65536) + 1);
  const f64 = (p, len) => new Float64Array(e.memory.buffer, p, len);
  f64(x, n * d).set(X);
  f64(mean, P.length).set(P);
  f64(r, n * k).set(R);
  f64(uc, k * d * d).set(U);
  f64(start, k).fill(1 / k);
  f64(trans, k * k).set(A);
  const fb = () => e.hmmForwardBackward(out, n, k, start, trans, r, xi, hmmWork); // logB = L, γ into r
  const fullStats = () => e.gaussAccumulateFull(x, n, d, k, r, st, st + k * 8, st + (k + k * d) * 8, work);
  return {
    gaussDiagLogProb: { run: () => e.gaussDiagLogProb(x, n, d, k, mean, prec, cs, out), out: () => f64(out, n * k).slice() },
    gaussFullLogProb: { run: () => e.gaussFullLogProb(x, n, d, k, mean, uc, d * d, cs, out, work), out: () => f64(out, n * k).slice() },
    gaussAccumulateFull: { run: fullStats, out: () => (f64(st, k + k * d + k * d * d).fill(0), fullStats(), f64(st, k + k * d + k * d * d).slice()) },
    logSumExpNormalize: {
      run: () => (f64(out, n * k).set(L), e.logSumExpNormalize(out, n, k, 0, 0)),
      out: () => [e.logSumExpNormalize(f64(out, n * k).set(L) ?? out, n, k, 0, 0), ...f64(out, n * k)],
    },
    hmmForwardBackward: {
      run: () => (f64(out, n * k).set(L), fb()),
      out: () => (f64(out, n * k).set(L), f64(xi, k * k).fill(0), [fb(), ...f64(r, n * k), ...f64(xi, k * k)]),
    },
    gaussAccumulateDiag: {
      run: () => e.gaussAccumulateDiag(x, n, d, k, r, st, st + k * 8, st + (k + k * d) * 8),
      out: () => (f64(st, k + 2 * k * d).fill(0), e.gaussAccumulateDiag(x, n, d, k, r, st, st + k * 8, st + (k + k * d) * 8), f64(st, k + 2 * k * d).slice()),
    },
  };
}

const builds = { A: await build(fileA), B: await build(fileB) };
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const reps = Math.max(10, Math.floor(3e7 / (n * d * k)));
console.log(`n = ${n}, d = ${d}, k = ${k}; ${ROUNDS} interleaved rounds of ${reps} calls; Node ${process.version}`);
for (const name of Object.keys(builds.A)) {
  const t = { A: [], B: [] };
  for (const b of ['A', 'B']) for (let i = 0; i < 100; i++) builds[b][name].run();
  for (let round = 0; round < ROUNDS; round++) {
    for (const b of ['A', 'B']) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) builds[b][name].run();
      t[b].push(((performance.now() - t0) / reps) * 1000);
    }
  }
  const oa = builds.A[name].out();
  const ob = builds.B[name].out();
  const same = oa.every((v, i) => Object.is(v, ob[i]));
  const [ma, mb] = [median(t.A), median(t.B)];
  console.log(`${name.padEnd(20)} A ${ma.toFixed(2)} µs  B ${mb.toFixed(2)} µs  B/A ${(mb / ma).toFixed(3)}  outputs ${same ? 'bit-identical' : 'differ'}`);
}
