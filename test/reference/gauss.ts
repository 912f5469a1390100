// Naive Gaussian kernels over feature-major data x[j*n+i]: the oracles for gaussFullLogProb, gaussDiagLogProb,
// gaussAccumulateFull, gaussAccumulateDiag, choleskyLower and gaussPrecisionCholesky. One component at a time,
// plain loops in textbook order, no blocking.

/** out[i] = c − ½‖(x_i − μ)ᵀU‖², U d×d row-major (upper triangular: scikit-learn's precisions_cholesky_[k]). */
export function gaussFullLogProbRef(
  x: ArrayLike<number>,
  n: number,
  d: number,
  mean: ArrayLike<number>,
  u: ArrayLike<number>,
  c: number,
): Float64Array {
  const out = new Float64Array(n);
  const diff = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) diff[j] = x[j * n + i]! - mean[j]!;
    let s = 0;
    for (let col = 0; col < d; col++) {
      let y = 0;
      for (let j = 0; j < d; j++) y += diff[j]! * u[j * d + col]!;
      s += y * y;
    }
    out[i] = c - 0.5 * s;
  }
  return out;
}

/** out[i] = c − ½ Σ_j prec[j]·(x_j[i] − μ_j)². */
export function gaussDiagLogProbRef(
  x: ArrayLike<number>,
  n: number,
  d: number,
  mean: ArrayLike<number>,
  prec: ArrayLike<number>,
  c: number,
): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const t = x[j * n + i]! - mean[j]!;
      s += prec[j]! * t * t;
    }
    out[i] = c - 0.5 * s;
  }
  return out;
}

/** Σ_i r_i, Σ_i r_i x_i (d) and Σ_i r_i x_i x_iᵀ (d×d, both triangles). */
export function gaussAccumulateFullRef(
  x: ArrayLike<number>,
  n: number,
  d: number,
  r: ArrayLike<number>,
): { nk: number; s1: Float64Array; s2: Float64Array } {
  let nk = 0;
  const s1 = new Float64Array(d);
  const s2 = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    const ri = r[i]!;
    nk += ri;
    for (let a = 0; a < d; a++) {
      const xa = x[a * n + i]!;
      s1[a] += ri * xa;
      for (let b = 0; b < d; b++) s2[a * d + b] += ri * xa * x[b * n + i]!;
    }
  }
  return { nk, s1, s2 };
}

/** Σ_i r_i, Σ_i r_i x_i and Σ_i r_i x_i² (elementwise, d each). */
export function gaussAccumulateDiagRef(
  x: ArrayLike<number>,
  n: number,
  d: number,
  r: ArrayLike<number>,
): { nk: number; s1: Float64Array; s2: Float64Array } {
  let nk = 0;
  const s1 = new Float64Array(d);
  const s2 = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const ri = r[i]!;
    nk += ri;
    for (let j = 0; j < d; j++) {
      const xj = x[j * n + i]!;
      s1[j] += ri * xj;
      s2[j] += ri * xj * xj;
    }
  }
  return { nk, s1, s2 };
}

/**
 * Cholesky–Banachiewicz: L lower triangular (d×d row-major, zeros above) with A = LLᵀ, reading A's lower
 * triangle. status −1, or the first j whose pivot A_jj − Σ_p L_jp² is not positive and finite (L is then partial).
 */
export function choleskyLowerRef(a: ArrayLike<number>, d: number): { status: number; l: Float64Array } {
  const l = new Float64Array(d * d);
  for (let j = 0; j < d; j++) {
    let s = a[j * d + j]!;
    for (let p = 0; p < j; p++) s -= l[j * d + p]! * l[j * d + p]!;
    if (!(s > 0 && Number.isFinite(s))) return { status: j, l };
    const ljj = Math.sqrt(s);
    l[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[i * d + j]!;
      for (let p = 0; p < j; p++) t -= l[i * d + p]! * l[j * d + p]!;
      l[i * d + j] = t / ljj;
    }
  }
  return { status: -1, l };
}

/**
 * scikit-learn's precisions_cholesky_ for one covariance: U = (L⁻¹)ᵀ with Σ = LLᵀ, so that UUᵀ = Σ⁻¹ and U is
 * upper triangular. L⁻¹ by forward substitution on the columns of the identity.
 */
export function gaussPrecisionCholeskyRef(cov: ArrayLike<number>, d: number): { status: number; u: Float64Array } {
  const { status, l } = choleskyLowerRef(cov, d);
  const u = new Float64Array(d * d);
  if (status >= 0) return { status, u };
  const linv = new Float64Array(d * d);
  for (let col = 0; col < d; col++) {
    for (let i = 0; i < d; i++) {
      let s = i === col ? 1 : 0;
      for (let p = 0; p < i; p++) s -= l[i * d + p]! * linv[p * d + col]!;
      linv[i * d + col] = s / l[i * d + i]!;
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) u[i * d + j] = linv[j * d + i]!;
  return { status: -1, u };
}
