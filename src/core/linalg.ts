// Small dense helpers on row-major d×d blocks, for parameter conversions outside the EM loop (K·d³ work at
// most). The EM loop itself factorises in wasm (assembly/kernels/cholesky.ts).

/** In place a ← L (a = LLᵀ, strict upper zeroed), on the block at `off`. Returns −1 or the failing pivot. */
export function cholLowerInPlace(a: Float64Array, d: number, off = 0): number {
  for (let j = 0; j < d; j++) {
    let s = a[off + j * d + j]!;
    for (let p = 0; p < j; p++) {
      const v = a[off + j * d + p]!;
      s -= v * v;
    }
    if (!(s > 0) || !Number.isFinite(s)) return j;
    const ljj = Math.sqrt(s);
    a[off + j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = a[off + i * d + j]!;
      for (let p = 0; p < j; p++) t -= a[off + i * d + p]! * a[off + j * d + p]!;
      a[off + i * d + j] = t / ljj;
    }
    for (let i = 0; i < j; i++) a[off + i * d + j] = 0;
  }
  return -1;
}

/** out = M·Mᵀ for the d×d block of m at `off`, written at `outOff`. */
export function mulTransposed(m: ArrayLike<number>, d: number, off: number, out: Float64Array, outOff: number): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = 0; p < d; p++) s += m[off + i * d + p]! * m[off + j * d + p]!;
      out[outOff + i * d + j] = s;
      out[outOff + j * d + i] = s;
    }
  }
}

/** Inverse of a lower-triangular block (forward substitution), written lower-triangular at `outOff`. */
export function invLower(l: ArrayLike<number>, d: number, off: number, out: Float64Array, outOff: number): void {
  for (let c = 0; c < d; c++) {
    for (let i = 0; i < d; i++) {
      let s = i === c ? 1 : 0;
      for (let p = c; p < i; p++) s -= l[off + i * d + p]! * out[outOff + p * d + c]!;
      out[outOff + i * d + c] = i < c ? 0 : s / l[off + i * d + i]!;
    }
  }
}

/**
 * The upper-triangular U with U·Uᵀ = P (P symmetric positive definite), via the reversed Cholesky
 * J·chol(J·P·J)·J. Returns −1 or the failing pivot (in P's index order).
 */
export function upperFactor(p: ArrayLike<number>, d: number, off: number, out: Float64Array, outOff: number): number {
  const r = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) r[i * d + j] = p[off + (d - 1 - i) * d + (d - 1 - j)]!;
  const bad = cholLowerInPlace(r, d);
  if (bad >= 0) return d - 1 - bad;
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[outOff + i * d + j] = r[(d - 1 - i) * d + (d - 1 - j)]!;
  return -1;
}
