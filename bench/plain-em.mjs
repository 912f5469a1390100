// The "plain TypeScript" baseline of the benchmarks: the same algorithms as latent's wasm path, written as
// ordinary loops over row-major Float64Arrays (no wasm, no SIMD). It follows scikit-learn 1.2 step by step:
//   GaussianMixture: E-step with the precision Cholesky factor, log-sum-exp normalisation; M-step with
//     N_k = Σ r + 10·eps, means, covariances Σ r (x−μ)(x−μ)ᵀ / N_k + reg·I, precision Cholesky
//     (Cholesky of the covariance, then its triangular inverse, transposed: sklearn precisions_cholesky_).
//   KMeans: Lloyd iterations (assign, then move each centre to its cluster's mean), empty clusters relocated
//     to the farthest samples, and a final assignment under the last centres (as sklearn does when it stops on
//     max_iter).
// Written to be reasonably fast (contiguous inner dot products, triangles only, a rank-2 covariance update,
// no allocation in the hot loops);
// it is the honest baseline "what you get from a careful JavaScript implementation".

const LOG_2PI = Math.log(2 * Math.PI);
const EPS = 2.220446049250313e-16; // numpy float64 eps

/** Lower Cholesky factor of the d×d row-major SPD matrix a (a is left untouched); throws if not SPD. */
export function choleskyLower(a, d) {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j];
    for (let p = 0; p < j; p++) s -= l[j * d + p] * l[j * d + p];
    if (!(s > 0)) throw new Error(`plain-em: matrix not positive definite at pivot ${j}`);
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j];
      for (let p = 0; p < j; p++) t -= l[i * d + p] * l[j * d + p];
      l[i * d + j] = t / ljj;
    }
  }
  return l;
}

/** U = (L⁻¹)ᵀ for lower-triangular L: upper triangular with U Uᵀ = (L Lᵀ)⁻¹ (sklearn's precision Cholesky). */
export function precisionCholeskyFromCovCholesky(l, d) {
  const u = new Float64Array(d * d);
  // Column c of L⁻¹ by forward substitution; it is row c of U.
  for (let c = 0; c < d; c++) {
    u[c * d + c] = 1 / l[c * d + c];
    for (let i = c + 1; i < d; i++) {
      let s = 0;
      for (let p = c; p < i; p++) s -= l[i * d + p] * u[c * d + p];
      u[c * d + i] = s / l[i * d + i];
    }
  }
  return u;
}

/**
 * An upper-triangular U with U Uᵀ = P for an SPD precision P, by Cholesky of P with rows and columns reversed
 * (J P J = L Lᵀ ⇒ P = (J L J)(J L J)ᵀ, and J L J is upper triangular). Any factor of P gives the same
 * quadratic form and log-determinant; sklearn uses the lower Cholesky of precisions_init for the first
 * E-step, we use this upper one so that one E-step loop serves every iteration.
 */
export function upperFactorOfPrecision(p, d) {
  const r = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) r[i * d + j] = p[(d - 1 - i) * d + (d - 1 - j)];
  const l = choleskyLower(r, d);
  const u = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) u[i * d + j] = l[(d - 1 - i) * d + (d - 1 - j)];
  return u;
}

/**
 * E-step: resp (n×k row-major) ← posterior responsibilities; returns the mean log-likelihood (sklearn's
 * lower bound). params.pc is the precision Cholesky factor: k×d×d upper triangular ('full') or k×d ('diag').
 */
export function eStep(x, n, d, params, covType, resp) {
  const { weights, means, pc } = params;
  const k = weights.length;
  const c0 = new Float64Array(k); // log w_k − ½ d log 2π + log det U_k
  for (let c = 0; c < k; c++) {
    let logDet = 0;
    if (covType === 'full') for (let j = 0; j < d; j++) logDet += Math.log(pc[c * d * d + j * d + j]);
    else for (let j = 0; j < d; j++) logDet += Math.log(pc[c * d + j]);
    c0[c] = Math.log(weights[c]) - 0.5 * d * LOG_2PI + logDet;
  }
  // Uᵀ per component (lower triangular), so that y_j = Σ_{a≤j} (x−μ)_a U_aj is a contiguous dot product.
  const ut = covType === 'full' ? new Float64Array(k * d * d) : undefined;
  if (ut) for (let c = 0; c < k; c++) for (let a = 0; a < d; a++) for (let j = a; j < d; j++) ut[c * d * d + j * d + a] = pc[c * d * d + a * d + j];
  const diff = new Float64Array(d);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const xi = i * d;
    const ri = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const mu = c * d;
      let q = 0;
      if (ut) {
        const u = c * d * d;
        for (let j = 0; j < d; j++) diff[j] = x[xi + j] - means[mu + j];
        for (let j = 0; j < d; j++) {
          const uj = u + j * d;
          let y = 0;
          for (let a = 0; a <= j; a++) y += diff[a] * ut[uj + a];
          q += y * y;
        }
      } else {
        for (let j = 0; j < d; j++) {
          const t = (x[xi + j] - means[mu + j]) * pc[mu + j];
          q += t * t;
        }
      }
      const lp = c0[c] - 0.5 * q;
      resp[ri + c] = lp;
      if (lp > max) max = lp;
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(resp[ri + c] - max);
    const lse = max + Math.log(s);
    for (let c = 0; c < k; c++) resp[ri + c] = Math.exp(resp[ri + c] - lse);
    total += lse;
  }
  return total / n;
}

/** M-step (sklearn `_estimate_gaussian_parameters` + `_compute_precision_cholesky`). */
export function mStep(x, n, d, resp, k, covType, regCovar) {
  const nk = new Float64Array(k).fill(10 * EPS);
  const means = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const xi = i * d;
    for (let c = 0; c < k; c++) {
      const r = resp[i * k + c];
      nk[c] += r;
      const mu = c * d;
      for (let j = 0; j < d; j++) means[mu + j] += r * x[xi + j];
    }
  }
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] /= nk[c];

  let covariances;
  let pc;
  if (covType === 'full') {
    covariances = new Float64Array(k * d * d);
    pc = new Float64Array(k * d * d);
    const d0 = new Float64Array(d);
    const d1 = new Float64Array(d);
    const s = new Float64Array(d * d);
    for (let c = 0; c < k; c++) {
      s.fill(0);
      const mu = c * d;
      // Lower triangle of Σ_i r_i (x_i−μ)(x_i−μ)ᵀ, two samples per pass (a rank-2 update halves the
      // loads and stores of s).
      let i = 0;
      for (; i + 1 < n; i += 2) {
        const r0 = resp[i * k + c];
        const r1 = resp[(i + 1) * k + c];
        const x0 = i * d;
        const x1 = x0 + d;
        for (let j = 0; j < d; j++) {
          d0[j] = x[x0 + j] - means[mu + j];
          d1[j] = x[x1 + j] - means[mu + j];
        }
        for (let a = 0; a < d; a++) {
          const p = r0 * d0[a];
          const q = r1 * d1[a];
          const sa = a * d;
          for (let b = 0; b <= a; b++) s[sa + b] += p * d0[b] + q * d1[b];
        }
      }
      for (; i < n; i++) {
        const r = resp[i * k + c];
        const xi = i * d;
        for (let j = 0; j < d; j++) d0[j] = x[xi + j] - means[mu + j];
        for (let a = 0; a < d; a++) {
          const p = r * d0[a];
          const sa = a * d;
          for (let b = 0; b <= a; b++) s[sa + b] += p * d0[b];
        }
      }
      const cov = covariances.subarray(c * d * d, (c + 1) * d * d);
      for (let a = 0; a < d; a++) {
        for (let b = 0; b <= a; b++) {
          const v = s[a * d + b] / nk[c];
          cov[a * d + b] = v;
          cov[b * d + a] = v;
        }
        cov[a * d + a] += regCovar;
      }
      pc.set(precisionCholeskyFromCovCholesky(choleskyLower(cov, d), d), c * d * d);
    }
  } else if (covType === 'diag') {
    // sklearn's formula: avg_X2 − 2·avg_X_means + avg_means2 + reg, avg_X_means = means ∘ (rᵀX)/N_k.
    const avgX2 = new Float64Array(k * d);
    for (let i = 0; i < n; i++) {
      const xi = i * d;
      for (let c = 0; c < k; c++) {
        const r = resp[i * k + c];
        const mu = c * d;
        for (let j = 0; j < d; j++) {
          const v = x[xi + j];
          avgX2[mu + j] += r * v * v;
        }
      }
    }
    covariances = new Float64Array(k * d);
    pc = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) {
        const p = c * d + j;
        const m = means[p];
        const v = avgX2[p] / nk[c] - 2 * m * m + m * m + regCovar;
        if (!(v > 0)) throw new Error(`plain-em: non-positive variance in component ${c}`);
        covariances[p] = v;
        pc[p] = 1 / Math.sqrt(v);
      }
    }
  } else {
    throw new Error(`plain-em: covariance type '${covType}' not implemented`);
  }
  let sum = 0;
  for (let c = 0; c < k; c++) sum += nk[c];
  const weights = new Float64Array(k);
  for (let c = 0; c < k; c++) weights[c] = nk[c] / sum;
  return { weights, means, covariances, pc };
}

/**
 * GaussianMixture.fit with given initial weights, means and precisions (full: k×d×d, diag: k×d), tol = 0:
 * exactly maxIter EM iterations, then a final E-step (as sklearn). Returns the lower bound of the last
 * in-loop E-step (sklearn `lower_bound_`) and the fitted parameters.
 */
export function gmmFit(x, n, d, init, covType, maxIter, regCovar = 1e-6) {
  const k = init.weights.length;
  let pc;
  if (covType === 'full') {
    pc = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) pc.set(upperFactorOfPrecision(init.precisions.subarray(c * d * d, (c + 1) * d * d), d), c * d * d);
  } else {
    pc = init.precisions.map(Math.sqrt);
  }
  let params = { weights: Float64Array.from(init.weights), means: Float64Array.from(init.means), covariances: undefined, pc };
  const resp = new Float64Array(n * k);
  const lowerBounds = [];
  for (let it = 0; it < maxIter; it++) {
    lowerBounds.push(eStep(x, n, d, params, covType, resp));
    params = mStep(x, n, d, resp, k, covType, regCovar);
  }
  eStep(x, n, d, params, covType, resp); // sklearn's final E-step (labels consistent with the parameters)
  return { ...params, lowerBound: lowerBounds[lowerBounds.length - 1] ?? -Infinity, lowerBounds, nIter: maxIter };
}

/** labels[i] ← nearest centre, dist[i] ← its squared distance; returns the inertia. */
function assign(x, n, d, centers, k, labels, dist) {
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const xi = i * d;
    let best = 0;
    let bestD = Infinity;
    for (let c = 0; c < k; c++) {
      const cc = c * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = x[xi + j] - centers[cc + j];
        s += t * t;
      }
      if (s < bestD) {
        bestD = s;
        best = c;
      }
    }
    labels[i] = best;
    dist[i] = bestD;
    inertia += bestD;
  }
  return inertia;
}

/**
 * KMeans.fit (Lloyd) from explicit centres with tol = 0: maxIter iterations unless the labels stop changing
 * (sklearn's strict convergence), then a final assignment. Returns centres, labels, inertia and nIter.
 */
export function kmeansFit(x, n, d, initCenters, maxIter) {
  const k = initCenters.length / d;
  let centers = Float64Array.from(initCenters);
  const labels = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n);
  const dist = new Float64Array(n);
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  let nIter = 0;
  let strict = false;
  for (let it = 0; it < maxIter; it++) {
    prev.set(labels);
    assign(x, n, d, centers, k, labels, dist);
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      counts[c] += 1;
      const xi = i * d;
      const cc = c * d;
      for (let j = 0; j < d; j++) sums[cc + j] += x[xi + j];
    }
    relocateEmpty(x, d, k, labels, dist, sums, counts);
    const next = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) next[c * d + j] = counts[c] > 0 ? sums[c * d + j] / counts[c] : centers[c * d + j];
    centers = next;
    nIter = it + 1;
    let same = true;
    for (let i = 0; i < n && same; i++) same = labels[i] === prev[i];
    if (same) {
      strict = true;
      break;
    }
  }
  void strict;
  const inertia = assign(x, n, d, centers, k, labels, dist);
  return { centers, labels, inertia, nIter };
}

/** sklearn `_relocate_empty_clusters`: each empty cluster takes one of the samples farthest from its centre. */
function relocateEmpty(x, d, k, labels, dist, sums, counts) {
  const empty = [];
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
  if (empty.length === 0) return;
  const order = Array.from(dist.keys()).sort((a, b) => dist[b] - dist[a] || a - b);
  empty.forEach((c, t) => {
    const i = order[t];
    const old = labels[i];
    for (let j = 0; j < d; j++) {
      sums[old * d + j] -= x[i * d + j];
      sums[c * d + j] = x[i * d + j];
    }
    counts[old] -= 1;
    counts[c] = 1;
  });
}
