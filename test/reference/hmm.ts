// Plain TypeScript oracles for the HMM kernels: log-space forward–backward and Viterbi, and brute-force
// enumeration of all k^t state paths for tiny models. logB is k×t component-major (logB[s*t+τ]); probabilities
// start (k) and trans (k×k row-major, trans[i*k+j] = P(j | i)).

export interface PosteriorRef {
  logLik: number;
  /** k×t component-major posteriors γ. */
  gamma: Float64Array;
  /** k×k: Σ_{τ<t−1} ξ_τ(i, j). */
  xi: Float64Array;
}

export interface PathRef {
  logProb: number;
  states: Int32Array;
}

function logSumExp(v: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < v.length; i++) m = Math.max(m, v[i]!);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i]! - m);
  return m + Math.log(s);
}

/**
 * Log-space forward–backward (Rabiner (19)–(25) with log-sum-exp in place of sums), each log α_τ normalised by
 * n_τ = log p(x_τ | x_{<τ}) and each log β_τ by n_{τ+1}, so that values stay O(1) and γ keeps its relative
 * accuracy on long sequences; log L = Σ_τ n_τ.
 */
export function forwardBackwardRef(
  logB: ArrayLike<number>,
  t: number,
  k: number,
  start: ArrayLike<number>,
  trans: ArrayLike<number>,
): PosteriorRef {
  const logA = Array.from(trans, Math.log);
  const la = new Float64Array(t * k); // time-major log α̂
  const lb = new Float64Array(t * k); // time-major log β̂
  const norm = new Float64Array(t);
  const terms = new Float64Array(k);
  const gamma = new Float64Array(k * t);
  const xi = new Float64Array(k * k);
  let logLik = 0;
  for (let tau = 0; tau < t; tau++) {
    for (let j = 0; j < k; j++) {
      if (tau === 0) {
        la[j] = Math.log(start[j]!) + logB[j * t]!;
        continue;
      }
      for (let i = 0; i < k; i++) terms[i] = la[(tau - 1) * k + i]! + logA[i * k + j]!;
      la[tau * k + j] = logSumExp(terms) + logB[j * t + tau]!;
    }
    const n = logSumExp(la.subarray(tau * k, (tau + 1) * k));
    if (n === -Infinity) return { logLik: -Infinity, gamma, xi };
    for (let j = 0; j < k; j++) la[tau * k + j] -= n;
    norm[tau] = n;
    logLik += n;
  }
  for (let tau = t - 2; tau >= 0; tau--) {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) terms[j] = logA[i * k + j]! + logB[j * t + tau + 1]! + lb[(tau + 1) * k + j]!;
      lb[tau * k + i] = logSumExp(terms) - norm[tau + 1]!;
    }
  }
  for (let tau = 0; tau < t; tau++) {
    for (let s = 0; s < k; s++) gamma[s * t + tau] = Math.exp(la[tau * k + s]! + lb[tau * k + s]!);
  }
  for (let tau = 0; tau < t - 1; tau++) {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const l = la[tau * k + i]! + logA[i * k + j]! + (logB[j * t + tau + 1]! - norm[tau + 1]!) + lb[(tau + 1) * k + j]!;
        xi[i * k + j] += Math.exp(l);
      }
    }
  }
  return { logLik, gamma, xi };
}

/** Log-space Viterbi; ties go to the lowest state index (both in the recursion and at the end). */
export function viterbiRef(
  logB: ArrayLike<number>,
  t: number,
  k: number,
  logStart: ArrayLike<number>,
  logTrans: ArrayLike<number>,
): PathRef {
  let delta = Array.from({ length: k }, (_, s) => logStart[s]! + logB[s * t]!);
  const psi: Int32Array[] = [new Int32Array(k)];
  for (let tau = 1; tau < t; tau++) {
    const next = new Array<number>(k);
    const back = new Int32Array(k);
    for (let j = 0; j < k; j++) {
      let best = delta[0]! + logTrans[j]!;
      let arg = 0;
      for (let i = 1; i < k; i++) {
        const c = delta[i]! + logTrans[i * k + j]!;
        if (c > best) {
          best = c;
          arg = i;
        }
      }
      next[j] = best + logB[j * t + tau]!;
      back[j] = arg;
    }
    psi.push(back);
    delta = next;
  }
  let s = 0;
  for (let j = 1; j < k; j++) if (delta[j]! > delta[s]!) s = j;
  const states = new Int32Array(t);
  const logProb = delta[s]!;
  states[t - 1] = s;
  for (let tau = t - 1; tau > 0; tau--) {
    s = psi[tau]![s]!;
    states[tau - 1] = s;
  }
  return { logProb, states };
}

/**
 * Enumerates all k^t state paths: likelihood, posteriors γ, expected transition counts Σ_τ ξ_τ, and the best path
 * (the first in lexicographic order among exact ties). Each path's log probability is summed in time order,
 * log π(s_0) + log B_0(s_0) + Σ_τ (log A(s_{τ−1}, s_τ) + log B_τ(s_τ)), as Viterbi sums it.
 */
export function bruteForceRef(
  logB: ArrayLike<number>,
  t: number,
  k: number,
  start: ArrayLike<number>,
  trans: ArrayLike<number>,
): PosteriorRef & { best: PathRef } {
  const logStart = Array.from(start, Math.log);
  const logA = Array.from(trans, Math.log);
  const count = k ** t;
  const logP = new Float64Array(count);
  const path = new Int32Array(t);
  const pathOf = (index: number): void => {
    for (let tau = t - 1; tau >= 0; tau--) {
      path[tau] = index % k;
      index = Math.floor(index / k);
    }
  };
  let bestIndex = 0;
  for (let p = 0; p < count; p++) {
    pathOf(p);
    let l = logStart[path[0]!]! + logB[path[0]! * t]!;
    for (let tau = 1; tau < t; tau++) l = l + logA[path[tau - 1]! * k + path[tau]!]! + logB[path[tau]! * t + tau]!;
    logP[p] = l;
    if (l > logP[bestIndex]!) bestIndex = p;
  }
  const logLik = logSumExp(logP);
  const gamma = new Float64Array(k * t);
  const xi = new Float64Array(k * k);
  if (logLik > -Infinity) {
    for (let p = 0; p < count; p++) {
      const w = Math.exp(logP[p]! - logLik);
      if (w === 0) continue;
      pathOf(p);
      for (let tau = 0; tau < t; tau++) gamma[path[tau]! * t + tau] += w;
      for (let tau = 1; tau < t; tau++) xi[path[tau - 1]! * k + path[tau]!] += w;
    }
  }
  pathOf(bestIndex);
  return { logLik, gamma, xi, best: { logProb: logP[bestIndex]!, states: Int32Array.from(path) } };
}
