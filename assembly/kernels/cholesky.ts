// Dense Cholesky for the d×d blocks of the M-step (K·d³/3 flops an iteration: scalar code is not the bottleneck).

/** In place: a (d×d row-major, symmetric) ← L with a = LLᵀ, strict upper part zeroed. Returns −1, or the first pivot that is not positive and finite. */
export function choleskyLower(aPtr: usize, d: i32): i32 {
  for (let j = 0; j < d; j++) {
    let s = load<f64>(aPtr + ((<usize>j * d + j) << 3));
    for (let p = 0; p < j; p++) { const v = load<f64>(aPtr + ((<usize>j * d + p) << 3)); s -= v * v; }
    if (!(s > 0) || !isFinite(s)) return j;
    const l = Math.sqrt(s);
    store<f64>(aPtr + ((<usize>j * d + j) << 3), l);
    for (let i = j + 1; i < d; i++) {
      let t = load<f64>(aPtr + ((<usize>i * d + j) << 3));
      for (let p = 0; p < j; p++) t -= load<f64>(aPtr + ((<usize>i * d + p) << 3)) * load<f64>(aPtr + ((<usize>j * d + p) << 3));
      store<f64>(aPtr + ((<usize>i * d + j) << 3), t / l);
    }
    for (let i = 0; i < j; i++) store<f64>(aPtr + ((<usize>i * d + j) << 3), 0);
  }
  return -1;
}
/**
 * out ← U = L⁻ᵀ (upper triangular) where cov = LLᵀ: scikit-learn's precision Cholesky factor (solve_triangular(L, I).T).
 * cov untouched; work ≥ d·d f64. Returns −1 or the failing pivot.
 */
export function gaussPrecisionCholesky(covPtr: usize, d: i32, outPtr: usize, workPtr: usize): i32 {
  memory.copy(workPtr, covPtr, <usize>d * d * 8);
  const bad = choleskyLower(workPtr, d);
  if (bad >= 0) return bad;
  // Forward substitution column by column: out[c*d + i] = (L⁻¹)[i][c], i.e. out = (L⁻¹)ᵀ.
  for (let c = 0; c < d; c++) {
    for (let i = 0; i < d; i++) {
      let v: f64 = 0;
      if (i >= c) {
        let s: f64 = i == c ? 1 : 0;
        for (let p = c; p < i; p++) s -= load<f64>(workPtr + ((<usize>i * d + p) << 3)) * load<f64>(outPtr + ((<usize>c * d + p) << 3));
        v = s / load<f64>(workPtr + ((<usize>i * d + i) << 3));
      }
      store<f64>(outPtr + ((<usize>c * d + i) << 3), v);
    }
  }
  return -1;
}
