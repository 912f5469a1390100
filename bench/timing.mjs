// Timing for the benchmark harnesses, made for a noisy host: this machine has slow phases (a plain JS loop runs 1.5×
// slower for seconds to minutes, at times most of the time), and back-to-back medians of each T swung 2× between runs
// (HMM full: 6.6 vs 9.9 ms/iter). So the implementations being compared take turns in the same short rounds
// (compareRounds), each round timing one fit of n_lo and one of n_hi iterations of each; per-iteration times are
// medians over rounds and ratios medians of within-round ratios.
import { spawn } from 'node:child_process';
import { Bench } from 'tinybench';

// Every task is added with { async: true }: without it tinybench calls the function once, untimed and not awaited,
// to see whether it returns a promise, and that stray fit then ran beside the timed ones.

/** The tinybench median (ms) of `fn` (sync or async) under the given Bench options. */
async function tinybenchMs(name, fn, options) {
  const bench = new Bench({ name, throws: true, ...options });
  bench.add(name, async () => { await fn(); }, { async: true });
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== 'completed') throw r.error ?? new Error(`${name}: ${r.state}`);
  return r.latency.p50;
}

/** tinybench median (ms) of `fn`: ≥ `iterations` samples and ≥ `timeMs` of sampling, after one warm-up. */
export function medianMs(name, fn, { iterations = 5, timeMs = 1000 } = {}) {
  return tinybenchMs(name, fn, { time: timeMs, iterations, warmup: true, warmupIterations: 1, warmupTime: 0 });
}

/** ms of one run of `fn`, timed by tinybench. */
export function timeOnce(name, fn) {
  return tinybenchMs(name, fn, { time: 0, iterations: 1, warmup: false });
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length & 1 ? s[h] : (s[h - 1] + s[h]) / 2;
};

/**
 * Several implementations timed in the same rounds, so that a slow phase of the host (which lasts up to tens of
 * seconds here, longer than one implementation's whole measurement) slows every implementation of a round alike.
 * `entries`: `{ key, lo, hi, span?, time(n) → Promise<ms> }` (time one fit of n iterations; span: the iterations the
 * hi fit runs beyond the lo fit when the implementation may stop early, default hi − lo). Each round times lo then hi of every
 * entry in turn, after one warm-up of each. Returns `{ [key]: { ms, tLo, tHi, slopes } }` (medians over rounds) and
 * `ratio(a, b)`: the median over rounds of slope_b / slope_a (how many times faster a is than b); `ratios(a, b)`: those
 * per-round ratios.
 */
export async function compareRounds(label, entries, rounds) {
  for (const e of entries) {
    await e.time(e.lo);
    await e.time(e.hi);
  }
  const res = Object.fromEntries(entries.map((e) => [e.key, { tl: [], th: [], slopes: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const e of entries) {
      const a = await e.time(e.lo);
      const b = await e.time(e.hi);
      const q = res[e.key];
      q.tl.push(a);
      q.th.push(b);
      q.slopes.push((b - a) / (e.span ?? e.hi - e.lo));
    }
  }
  const out = {};
  for (const e of entries) {
    const q = res[e.key];
    out[e.key] = { ms: median(q.slopes), tLo: median(q.tl), tHi: median(q.th), slopes: q.slopes, rounds };
    if (process.env.BENCH_VERBOSE) process.stderr.write(`  ${label} ${e.key}: ms/iter by round ${q.slopes.map((v) => v.toPrecision(3)).join(' ')}\n`);
  }
  /** slope_b / slope_a in each round (how many times faster a is than b), in round order. */
  const ratios = (a, b) => (out[a] && out[b] ? out[a].slopes.map((s, r) => out[b].slopes[r] / s) : []);
  const ratio = (a, b) => (out[a] && out[b] ? median(ratios(a, b)) : NaN);
  return { results: out, ratio, ratios };
}

/**
 * A persistent child process answering one JSON line per request line (scripts/bench/*_bench.py), so that
 * its fits can take turns with ours in the same rounds. `first` resolves to the line it prints on start.
 */
export function lineWorker(command, args, env) {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  const waiting = [];
  const lines = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w.resolve(line);
      else lines.push(line);
    }
  });
  const failed = new Promise((_, reject) => child.on('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited (${code})`))));
  failed.catch(() => {});
  const next = () => (lines.length ? Promise.resolve(lines.shift()) : Promise.race([new Promise((resolve, reject) => waiting.push({ resolve, reject })), failed]));
  return {
    first: next().then(JSON.parse),
    async request(obj) {
      child.stdin.write(`${JSON.stringify(obj)}\n`);
      return JSON.parse(await next());
    },
    close() {
      child.stdin.end();
    },
  };
}
