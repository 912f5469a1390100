// Deterministic data for the benchmark harnesses (bench/run.mjs, bench/hmm-run.mjs, bench/fit-ab.mjs): a seeded
// generator (no Math.random), Gaussian-mixture samples and fixed starting parameters, so every implementation and
// every run sees the same numbers.

/** xoshiro128** seeded through splitmix32: a small, fast, well-mixed PRNG with no Math.random. */
export function makeRng(seed) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const next = () => {
    const r = Math.imul(((Math.imul(b, 5) << 7) | (Math.imul(b, 5) >>> 25)), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t;
    d = (d << 11) | (d >>> 21);
    return r;
  };
  const uniform = () => ((next() >>> 5) * 67108864 + (next() >>> 6) + 0.5) / 9007199254740992; // 53 bits, (0, 1)
  let spare = NaN;
  const normal = () => {
    if (!Number.isNaN(spare)) {
      const v = spare;
      spare = NaN;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
  const categorical = (p, off = 0, k = p.length) => {
    const u = uniform();
    let acc = 0;
    for (let j = 0; j < k; j++) {
      acc += p[off + j];
      if (u < acc) return j;
    }
    return k - 1;
  };
  return { uniform, normal, categorical };
}

/** A random d×d covariance s·A Aᵀ/d + ridge·I (A standard normal, s ∈ [0.3, 1.5]), drawing A then s from rng. */
export function randomCovariance(rng, d, ridge) {
  const a = Float64Array.from({ length: d * d }, () => rng.normal());
  const s = 0.3 + 1.2 * rng.uniform();
  const cov = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let t = 0;
      for (let p = 0; p < d; p++) t += a[i * d + p] * a[j * d + p];
      cov[i * d + j] = (s * t) / d + (i === j ? ridge : 0);
    }
  }
  return cov;
}

/**
 * n samples (row-major n×d) of a k-component Gaussian mixture: means ~ N(0, spread²·I), covariances
 * s·A Aᵀ/d + 0.05·I (A standard normal, s ∈ [0.3, 1.5]), weights ∝ U(0.5, 1.5); rows in random order.
 */
export function mixtureData(seed, n, d, k, spread, isotropic = false) {
  const rng = makeRng(seed);
  const means = Array.from({ length: k }, () => Array.from({ length: d }, () => spread * rng.normal()));
  const chols = [];
  for (let c = 0; c < k; c++) {
    let cov;
    if (isotropic) {
      cov = new Float64Array(d * d);
      for (let j = 0; j < d; j++) cov[j * d + j] = 1;
    } else cov = randomCovariance(rng, d, 0.05);
    chols.push(cholLower(cov, d));
  }
  const w = Array.from({ length: k }, () => 0.5 + rng.uniform());
  const wsum = w.reduce((s, v) => s + v, 0);
  const cum = [];
  w.reduce((s, v, i) => (cum[i] = s + v / wsum), 0);
  const x = new Float64Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    let c = cum.findIndex((v) => u < v);
    if (c < 0) c = k - 1;
    const l = chols[c];
    for (let j = 0; j < d; j++) z[j] = rng.normal();
    for (let a = 0; a < d; a++) {
      let s = means[c][a];
      for (let b = 0; b <= a; b++) s += l[a * d + b] * z[b];
      x[i * d + a] = s;
    }
  }
  return x;
}

export function cholLower(a, d) {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let p = 0; p < j; p++) s -= l[j * d + p] ** 2;
    l[j * d + j] = Math.sqrt(s);
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let p = 0; p < j; p++) t -= l[i * d + p] * l[j * d + p];
      l[i * d + j] = t / l[j * d + j];
    }
  }
  return l;
}

/** Inverse of an SPD matrix via its Cholesky factor. */
export function spdInverse(a, d) {
  const l = cholLower(a, d);
  const li = new Float64Array(d * d); // L⁻¹, lower
  for (let c = 0; c < d; c++) {
    li[c * d + c] = 1 / l[c * d + c];
    for (let i = c + 1; i < d; i++) {
      let s = 0;
      for (let p = c; p < i; p++) s -= l[i * d + p] * li[p * d + c];
      li[i * d + c] = s / l[i * d + i];
    }
  }
  const inv = new Float64Array(d * d); // L⁻ᵀ L⁻¹
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let p = Math.max(i, j); p < d; p++) s += li[p * d + i] * li[p * d + j];
      inv[i * d + j] = s;
    }
  }
  return inv;
}

/** Fixed starting parameters: equal weights, k spread-out samples as means, the inverse data covariance. */
export function gmmInit(x, n, d, k, covType) {
  const weights = new Float64Array(k).fill(1 / k);
  const means = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const i = Math.floor(((c + 0.5) * n) / k);
    means.set(x.subarray(i * d, (i + 1) * d), c * d);
  }
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += x[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) {
      const da = x[i * d + a] - mu[a];
      for (let b = 0; b < d; b++) cov[a * d + b] += (da * (x[i * d + b] - mu[b])) / n;
    }
  }
  let precisions;
  if (covType === 'full') {
    const p = spdInverse(cov, d);
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) p[a * d + b] = p[b * d + a] = 0.5 * (p[a * d + b] + p[b * d + a]);
    precisions = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) precisions.set(p, c * d * d);
  } else {
    precisions = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) precisions[c * d + j] = 1 / cov[j * d + j];
  }
  return { weights, means, precisions };
}

/** flat (row-major) as nested arrays of the given shape. */
export const nest = (flat, shape) =>
  shape.length === 1 ? Array.from(flat) : Array.from({ length: shape[0] }, (_, i) => nest(flat.subarray(i * (flat.length / shape[0]), (i + 1) * (flat.length / shape[0])), shape.slice(1)));

/** The GMM and k-means benchmark data sets (bench/run.mjs), at full size. */
export const DATASETS = {
  A1: { seed: 1, n: 100_000, d: 2, k: 5, spread: 2.5 },
  A2: { seed: 2, n: 100_000, d: 16, k: 8, spread: 1.2 },
  A3: { seed: 3, n: 20_000, d: 64, k: 10, spread: 0.8 },
  // Unit-covariance clusters with means ~ N(0, 0.8²): heavily overlapping, so Lloyd keeps moving labels for 18
  // iterations from the benchmark's centres (scikit-learn's strict-convergence stop), more than n_hi = 16.
  KM: { seed: 4, n: 100_000, d: 16, k: 8, spread: 0.8, isotropic: true },
};

const cache = new Map();
/**
 * Data set `key` (n divided by `scale`) with the fixed start of a `kind` ('gmm' | 'kmeans') benchmark: GMM
 * parameters for covType (gmmInit), or k spread-out samples as centres. Returns { x, n, d, k, init }.
 */
export function caseData(key, kind, covType, scale = 1) {
  const s = DATASETS[key];
  const n = s.n / scale;
  const id = `${key}/${scale}`;
  if (!cache.has(id)) cache.set(id, mixtureData(s.seed, n, s.d, s.k, s.spread, s.isotropic));
  const x = cache.get(id);
  const { d, k } = s;
  if (kind === 'gmm') return { x, n, d, k, init: gmmInit(x, n, d, k, covType) };
  const centers = new Float64Array(k * d);
  for (let q = 0; q < k; q++) centers.set(x.subarray(q * 997 * d, (q * 997 + 1) * d), q * d);
  return { x, n, d, k, init: { centers } };
}
