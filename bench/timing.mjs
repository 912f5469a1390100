// Per-iteration time robust to a noisy host: T(n_lo) and T(n_hi) are measured in many short alternating rounds and
// the result is the median over rounds of (T(n_hi) − T(n_lo)) / (n_hi − n_lo). This machine has slow phases (a plain
// JS loop runs 1.5× slower for a few hundred ms to seconds, about a tenth of the time); back-to-back medians of each
// T swung 2× between runs (HMM full: 6.6 vs 9.9 ms/iter) because one T could fall in such a phase and the other not.
import { Bench } from 'tinybench';

// Every task is added with { async: true }: without it tinybench calls the function once, untimed and not awaited,
// to see whether it returns a promise, and that stray fit then ran beside the timed ones.

/** tinybench median (ms) of `fn` (sync or async): ≥ `iterations` samples and ≥ `timeMs` of sampling, after one warm-up. */
export async function medianMs(name, fn, { iterations = 5, timeMs = 1000 } = {}) {
  const bench = new Bench({ name, time: timeMs, iterations, warmup: true, warmupIterations: 1, warmupTime: 0, throws: true });
  bench.add(name, async () => { await fn(); }, { async: true });
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== 'completed') throw r.error ?? new Error(`${name}: ${r.state}`);
  return r.latency.p50;
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length & 1 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/**
 * `{ ms, tLo, tHi, rounds }`: ms per iteration of `fit(n)`, the median over `rounds` alternating rounds of
 * (T(hi) − T(lo)) / (hi − lo); tLo and tHi are the medians of the rounds' Ts. Each T is a tinybench median of
 * ≥ `iterations` runs and ≥ `timeMs` (one run by default: short rounds, so that a slow phase of the host, which here
 * lasts from a few hundred ms to seconds, spoils few rounds instead of most of them). One warm-up of each first.
 */
export async function perIterationMs(name, fit, lo, hi, { rounds = 21, iterations = 1, timeMs = 0 } = {}) {
  await fit(lo);
  await fit(hi);
  const slopes = [];
  const tl = [];
  const th = [];
  const once = async (n) => {
    const bench = new Bench({ name: `${name} n=${n}`, time: timeMs, iterations, warmup: false, throws: true });
    bench.add(`${name} n=${n}`, async () => { await fit(n); }, { async: true });
    await bench.run();
    const r = bench.tasks[0].result;
    if (r.state !== 'completed') throw r.error ?? new Error(`${name}: ${r.state}`);
    return r.latency.p50;
  };
  for (let r = 0; r < rounds; r++) {
    const a = await once(lo);
    const b = await once(hi);
    tl.push(a);
    th.push(b);
    slopes.push((b - a) / (hi - lo));
  }
  if (process.env.BENCH_VERBOSE) process.stderr.write(`  ${name}: ms/iter by round ${slopes.map((v) => v.toPrecision(3)).join(' ')}\n`);
  return { ms: median(slopes), tLo: median(tl), tHi: median(th), rounds };
}
