// How this host's noise falls on different kinds of code (the README's Benchmarks section): for `seconds`, repeats
// three timings in turn — a SIMD-throughput-bound kernel on L1-resident data (gaussDiagLogProb, n = 256, d = 16,
// k = 8, 400 calls), the same kernel streaming 12.8 MB (n = 10^5, 2 calls), and a latency-bound scalar loop — and
// prints each one's percentiles. A neighbour that shares our core's execution units slows the first two and leaves
// the third alone; frequency changes or descheduling would slow all three.
//
//   npm run asbuild && node bench/noise.mjs [seconds = 60]
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRng } from './data.mjs';

const seconds = Number(process.argv[2] ?? 60);
const wasm = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'latent.wasm'));
const e = (await WebAssembly.instantiate(wasm, {})).instance.exports;
const d = 16;
const k = 8;
const nBig = 100_000;
const nSmall = 256;
const x = (e.heapBase() + 15) & ~15;
const mean = x + nBig * d * 8;
const prec = mean + k * d * 8;
const cs = prec + k * d * 8;
const out = cs + k * 8;
e.memory.grow(Math.ceil((out + nBig * k * 8) / 65536) + 1);
const rng = makeRng(7);
const f64 = (p, len) => new Float64Array(e.memory.buffer, p, len);
f64(x, nBig * d).set(Float64Array.from({ length: nBig * d }, () => rng.normal()));
f64(mean, k * d).set(Float64Array.from({ length: k * d }, () => rng.normal()));
f64(prec, k * d).fill(1);

/** A dependent chain of multiply-adds: bound by latency, not by how many execution units are free. */
function scalarChain(steps) {
  let a = 1;
  for (let i = 0; i < steps; i++) a = a * 0.9999999 + 1e-9;
  return a;
}

const time = (fn) => {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
};
const rows = { 'L1 SIMD kernel': [], 'streaming SIMD kernel': [], 'scalar chain': [] };
let sink = 0;
const end = performance.now() + seconds * 1000;
while (performance.now() < end) {
  rows['L1 SIMD kernel'].push(time(() => { for (let r = 0; r < 400; r++) e.gaussDiagLogProb(x, nSmall, d, k, mean, prec, cs, out); }));
  rows['streaming SIMD kernel'].push(time(() => { for (let r = 0; r < 2; r++) e.gaussDiagLogProb(x, nBig, d, k, mean, prec, cs, out); }));
  rows['scalar chain'].push(time(() => { sink += scalarChain(2e7); }));
}
const q = (v, p) => [...v].sort((a, b) => a - b)[Math.round(p * (v.length - 1))];
if (!Number.isFinite(sink)) throw new Error('scalar chain diverged');
console.log(`${rows['scalar chain'].length} samples of each over ${seconds} s; Node ${process.version}; ms (min / p10 / median / p90 / max)`);
for (const [name, v] of Object.entries(rows)) {
  const s = [0, 0.1, 0.5, 0.9, 1].map((p) => q(v, p).toFixed(1)).join(' / ');
  console.log(`${name.padEnd(22)} ${s}   p90/p10 ${(q(v, 0.9) / q(v, 0.1)).toFixed(2)}`);
}
