// Plain JavaScript baseline for the Gaussian HMM benchmark (bench/hmm-run.mjs): Baum–Welch with diagonal or
// full covariances, written the way a careful engineer would without wasm or SIMD — plain loops over
// Float64Array, buffers allocated once per fit.
//
// One EM iteration = for every sequence: per-state log-densities, max-shifted emission likelihoods, scaled
// forward pass, backward pass that accumulates γ, Σξ and the γ-weighted moments on the fly; then the M-step
// (start, transitions, means, covariances + regCovar on the diagonal; scikit-learn / hmmlearn formulas).
//
// Data: x row-major (x[t*d + j]), sequences concatenated, `lengths` their lengths.
// Parameters: startProb (k), transMat (k×k row-major), means (k×d), covars (full k×d×d, diag k×d variances).

const LOG_2PI = Math.log(2 * Math.PI);
const NK_FLOOR = 10 * Number.EPSILON; // scikit-learn's floor on N_k (latent uses the same)

/** Per-state constants for the log-density: diag → 1/variance; full → L⁻¹ (lower) with cov = LLᵀ. */
function densityParams(p, k, d, covType) {
  const logNorm = new Float64Array(k); // −½(d·log 2π + log det Σ)
  if (covType === 'diag') {
    const prec = new Float64Array(k * d);
    for (let s = 0; s < k; s++) {
      let logDet = 0;
      for (let j = 0; j < d; j++) {
        const v = p.covars[s * d + j];
        prec[s * d + j] = 1 / v;
        logDet += Math.log(v);
      }
      logNorm[s] = -0.5 * (d * LOG_2PI + logDet);
    }
    return { logNorm, prec };
  }
  const li = new Float64Array(k * d * d);
  const l = new Float64Array(d * d);
  for (let s = 0; s < k; s++) {
    const off = s * d * d;
    // Cholesky cov = LLᵀ.
    l.fill(0);
    for (let j = 0; j < d; j++) {
      let v = p.covars[off + j * d + j];
      for (let q = 0; q < j; q++) v -= l[j * d + q] * l[j * d + q];
      if (!(v > 0)) throw new Error(`state ${s}: covariance not positive definite`);
      const ljj = Math.sqrt(v);
      l[j * d + j] = ljj;
      for (let i = j + 1; i < d; i++) {
        let t = p.covars[off + i * d + j];
        for (let q = 0; q < j; q++) t -= l[i * d + q] * l[j * d + q];
        l[i * d + j] = t / ljj;
      }
    }
    // L⁻¹ by forward substitution, column by column.
    let logDet = 0;
    for (let c = 0; c < d; c++) {
      logDet += 2 * Math.log(l[c * d + c]);
      li[off + c * d + c] = 1 / l[c * d + c];
      for (let i = c + 1; i < d; i++) {
        let t = 0;
        for (let q = c; q < i; q++) t -= l[i * d + q] * li[off + q * d + c];
        li[off + i * d + c] = t / l[i * d + i];
      }
    }
    logNorm[s] = -0.5 * (d * LOG_2PI + logDet);
  }
  return { logNorm, li };
}

/** logB[t*k + s] = log N(x_t | μ_s, Σ_s) for t in [from, from + T). */
function logDensities(x, from, T, d, k, p, dp, covType, logB, diff) {
  const { means } = p;
  const { logNorm } = dp;
  if (covType === 'diag') {
    const { prec } = dp;
    for (let t = 0; t < T; t++) {
      const xo = (from + t) * d;
      for (let s = 0; s < k; s++) {
        let q = 0;
        for (let j = 0; j < d; j++) {
          const z = x[xo + j] - means[s * d + j];
          q += z * z * prec[s * d + j];
        }
        logB[t * k + s] = logNorm[s] - 0.5 * q;
      }
    }
    return;
  }
  const { li } = dp;
  for (let t = 0; t < T; t++) {
    const xo = (from + t) * d;
    for (let s = 0; s < k; s++) {
      for (let j = 0; j < d; j++) diff[j] = x[xo + j] - means[s * d + j];
      const off = s * d * d;
      let q = 0;
      for (let a = 0; a < d; a++) {
        let y = 0;
        for (let b = 0; b <= a; b++) y += li[off + a * d + b] * diff[b];
        q += y * y;
      }
      logB[t * k + s] = logNorm[s] - 0.5 * q;
    }
  }
}

/** Work buffers for sequences up to maxT steps. */
function makeWork(maxT, k, d, covType) {
  const m = covType === 'full' ? d * d : d;
  return {
    logB: new Float64Array(maxT * k), // becomes b = exp(logB − max_t) in place
    alpha: new Float64Array(maxT * k),
    scale: new Float64Array(maxT),
    beta: new Float64Array(k),
    betaPrev: new Float64Array(k),
    w: new Float64Array(k),
    diff: new Float64Array(d),
    // statistics
    start: new Float64Array(k),
    xi: new Float64Array(k * k),
    nk: new Float64Array(k),
    s1: new Float64Array(k * d),
    s2: new Float64Array(k * m),
  };
}

/**
 * E-step of one sequence [from, from + T): scaled forward–backward, statistics added into `w`;
 * returns the sequence log-likelihood. With `statsToo` false only the forward pass runs.
 */
function sequenceEStep(x, from, T, d, k, p, dp, covType, w, statsToo) {
  const { logB, alpha, scale, diff } = w;
  const A = p.transMat;
  logDensities(x, from, T, d, k, p, dp, covType, logB, diff);
  let logLik = 0;
  // b_t(s) = exp(logB − max_s logB): the shift goes into the log-likelihood.
  for (let t = 0; t < T; t++) {
    let mx = -Infinity;
    for (let s = 0; s < k; s++) if (logB[t * k + s] > mx) mx = logB[t * k + s];
    for (let s = 0; s < k; s++) logB[t * k + s] = Math.exp(logB[t * k + s] - mx);
    logLik += mx;
  }
  const b = logB;
  // Forward: α̂_t = normalised (α̂_{t−1} A) ∘ b_t, c_t the normaliser.
  let c = 0;
  for (let s = 0; s < k; s++) c += alpha[s] = p.startProb[s] * b[s];
  scale[0] = c;
  for (let s = 0; s < k; s++) alpha[s] /= c;
  for (let t = 1; t < T; t++) {
    const ao = t * k;
    const po = ao - k;
    c = 0;
    for (let j = 0; j < k; j++) {
      let v = 0;
      for (let i = 0; i < k; i++) v += alpha[po + i] * A[i * k + j];
      c += alpha[ao + j] = v * b[ao + j];
    }
    scale[t] = c;
    const inv = 1 / c;
    for (let j = 0; j < k; j++) alpha[ao + j] *= inv;
  }
  for (let t = 0; t < T; t++) logLik += Math.log(scale[t]);
  if (!statsToo) return logLik;

  // Backward with β̂_{T−1} = 1; γ_t = α̂_t ∘ β̂_t; Σξ and the moments accumulated on the way.
  const { xi, nk, s1, s2, start } = w;
  let beta = w.beta;
  let betaPrev = w.betaPrev;
  const wv = w.w;
  beta.fill(1);
  const full = covType === 'full';
  const m = full ? d * d : d;
  for (let t = T - 1; t >= 0; t--) {
    const ao = t * k;
    const xo = (from + t) * d;
    for (let s = 0; s < k; s++) {
      const g = alpha[ao + s] * beta[s];
      if (t === 0) start[s] += g;
      nk[s] += g;
      const o1 = s * d;
      const o2 = s * m;
      if (full) {
        for (let a = 0; a < d; a++) {
          const gx = g * x[xo + a];
          s1[o1 + a] += gx;
          for (let bb = a; bb < d; bb++) s2[o2 + a * d + bb] += gx * x[xo + bb]; // upper triangle; mirrored in the M-step
        }
      } else {
        for (let j = 0; j < d; j++) {
          const gx = g * x[xo + j];
          s1[o1 + j] += gx;
          s2[o2 + j] += gx * x[xo + j];
        }
      }
    }
    if (t === 0) break;
    // w_j = b_t(j) β̂_t(j) / c_t;  ξ(i,j) += α̂_{t−1}(i) A_ij w_j;  β̂_{t−1}(i) = Σ_j A_ij w_j.
    const inv = 1 / scale[t];
    for (let j = 0; j < k; j++) wv[j] = b[ao + j] * beta[j] * inv;
    const po = ao - k;
    for (let i = 0; i < k; i++) {
      const ai = alpha[po + i];
      let bsum = 0;
      for (let j = 0; j < k; j++) {
        const aw = A[i * k + j] * wv[j];
        xi[i * k + j] += ai * aw;
        bsum += aw;
      }
      betaPrev[i] = bsum;
    }
    const tmp = beta;
    beta = betaPrev;
    betaPrev = tmp;
  }
  return logLik;
}

function mStep(w, k, d, covType, reg) {
  const { start, xi, nk, s1, s2 } = w;
  const startProb = new Float64Array(k);
  let st = 0;
  for (let s = 0; s < k; s++) st += start[s];
  for (let s = 0; s < k; s++) startProb[s] = start[s] / st;
  const transMat = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    let r = 0;
    for (let j = 0; j < k; j++) r += xi[i * k + j];
    for (let j = 0; j < k; j++) transMat[i * k + j] = xi[i * k + j] / r;
  }
  const means = new Float64Array(k * d);
  for (let s = 0; s < k; s++) for (let j = 0; j < d; j++) means[s * d + j] = s1[s * d + j] / (nk[s] + NK_FLOOR);
  let covars;
  if (covType === 'diag') {
    covars = new Float64Array(k * d);
    for (let s = 0; s < k; s++) {
      const nf = nk[s] + NK_FLOOR;
      for (let j = 0; j < d; j++) {
        const p = s * d + j;
        const mu = means[p];
        covars[p] = s2[p] / nf - (2 * mu * s1[p]) / nf + mu * mu + reg;
      }
    }
  } else {
    covars = new Float64Array(k * d * d);
    for (let s = 0; s < k; s++) {
      const nf = nk[s] + NK_FLOOR;
      const o = s * d * d;
      for (let a = 0; a < d; a++) {
        const ma = means[s * d + a];
        for (let b = a; b < d; b++) {
          const mb = means[s * d + b];
          // Σ γ (x−μ)(x−μ)ᵀ = S2 − μ S1ᵀ − S1 μᵀ + N μμᵀ
          const v = (s2[s * d * d + a * d + b] - ma * s1[s * d + b] - s1[s * d + a] * mb + nk[s] * ma * mb) / nf;
          covars[o + a * d + b] = covars[o + b * d + a] = v;
        }
        covars[o + a * d + a] += reg;
      }
    }
  }
  return { startProb, transMat, means, covars };
}

function clearStats(w) {
  w.start.fill(0);
  w.xi.fill(0);
  w.nk.fill(0);
  w.s1.fill(0);
  w.s2.fill(0);
}

const copyParams = (p) => ({
  startProb: Float64Array.from(p.startProb),
  transMat: Float64Array.from(p.transMat),
  means: Float64Array.from(p.means),
  covars: Float64Array.from(p.covars),
});

/**
 * `maxIter` Baum–Welch iterations (no early stopping) from `init`. Returns the final parameters and
 * logLiks[i] = total log-likelihood under the parameters entering iteration i + 1 (latent's `lowerBounds`).
 */
export function hmmFit(x, lengths, d, k, init, covType, maxIter, reg = 1e-6) {
  const maxT = Math.max(...lengths);
  const w = makeWork(maxT, k, d, covType);
  let p = copyParams(init);
  const logLiks = [];
  for (let it = 0; it < maxIter; it++) {
    clearStats(w);
    const dp = densityParams(p, k, d, covType);
    let total = 0;
    let from = 0;
    for (const T of lengths) {
      total += sequenceEStep(x, from, T, d, k, p, dp, covType, w, true);
      from += T;
    }
    logLiks.push(total);
    p = mStep(w, k, d, covType, reg);
  }
  return { ...p, logLiks };
}

/** Total log-likelihood of all sequences under `p` (forward pass only). */
export function hmmScore(x, lengths, d, k, p, covType) {
  const w = makeWork(Math.max(...lengths), k, d, covType);
  const dp = densityParams(p, k, d, covType);
  let total = 0;
  let from = 0;
  for (const T of lengths) {
    total += sequenceEStep(x, from, T, d, k, p, dp, covType, w, false);
    from += T;
  }
  return total;
}

/** Log-space Viterbi per sequence: { logProb (summed over sequences), states (Int32Array, all steps) }. */
export function hmmViterbi(x, lengths, d, k, p, covType) {
  const maxT = Math.max(...lengths);
  const w = makeWork(maxT, k, d, covType);
  const dp = densityParams(p, k, d, covType);
  const logA = p.transMat.map(Math.log);
  const logPi = p.startProb.map(Math.log);
  const back = new Int32Array(maxT * k);
  let delta = new Float64Array(k);
  let next = new Float64Array(k);
  const n = lengths.reduce((a, v) => a + v, 0);
  const states = new Int32Array(n);
  let logProb = 0;
  let from = 0;
  for (const T of lengths) {
    const lb = w.logB;
    logDensities(x, from, T, d, k, p, dp, covType, lb, w.diff);
    for (let s = 0; s < k; s++) delta[s] = logPi[s] + lb[s];
    for (let t = 1; t < T; t++) {
      for (let j = 0; j < k; j++) {
        let best = -Infinity;
        let arg = 0;
        for (let i = 0; i < k; i++) {
          const v = delta[i] + logA[i * k + j];
          if (v > best) {
            best = v;
            arg = i;
          }
        }
        next[j] = best + lb[t * k + j];
        back[t * k + j] = arg;
      }
      const tmp = delta;
      delta = next;
      next = tmp;
    }
    let s = 0;
    for (let j = 1; j < k; j++) if (delta[j] > delta[s]) s = j;
    logProb += delta[s];
    for (let t = T - 1; t >= 0; t--) {
      states[from + t] = s;
      if (t > 0) s = back[t * k + s];
    }
    from += T;
  }
  return { logProb, states };
}
