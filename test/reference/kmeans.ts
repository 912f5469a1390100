// Naive k-means kernels over feature-major data x[j*n+i]: the oracles for kmeansAssign (nearest centre, its distance,
// the per-cluster sums) and kmeansPotential. Distances are computed directly, Σ_j (x_j − c_j)² in order j = 0 … d−1;
// kmeansAssign chooses labels by the expansion ‖c‖² − 2x·c instead, so its labels are checked against these
// distances up to expansionBound.

/** γ_m = m·u / (1 − m·u), u = 2⁻⁵³: the classic bound on the relative rounding error of m floating-point steps. */
export function gamma(m: number): number {
  const u = 2 ** -53;
  return (m * u) / (1 - m * u);
}

/** The directly computed squared distance from sample i to the centre at c[off … off+d−1]. */
export function dist2Ref(x: ArrayLike<number>, n: number, d: number, i: number, c: ArrayLike<number>, off: number): number {
  return dist2(x, n, d, i, c, off);
}

/**
 * β_c = γ_{2d+2}·(‖c‖² + 2Σ_j |x_j c_j|): a bound on the rounding error of ‖c‖² + Σ_j x_j·(−2c_j) summed in any
 * fixed order (d + 1 rounded terms, the products and ‖c‖² each carrying their own rounding). A label l chosen by
 * comparing these sums is a true argmin up to ‖x − c_l‖² ≤ ‖x − c‖² + β_l + β_c.
 */
export function expansionBound(x: ArrayLike<number>, n: number, d: number, i: number, c: ArrayLike<number>, off: number): number {
  let norm = 0;
  let cross = 0;
  for (let j = 0; j < d; j++) {
    norm += c[off + j]! * c[off + j]!;
    cross += Math.abs(x[j * n + i]! * c[off + j]!);
  }
  return gamma(2 * d + 2) * (norm + 2 * cross);
}

function dist2(x: ArrayLike<number>, n: number, d: number, i: number, c: ArrayLike<number>, off: number): number {
  let a = 0;
  for (let j = 0; j < d; j++) {
    const t = x[j * n + i]! - c[off + j]!;
    a += t * t;
  }
  return a;
}

/** Nearest centre (C k×d row-major, ties → lowest c), its squared distance, and Σ sw_i·minDist_i. */
export function kmeansAssignRef(
  x: ArrayLike<number>,
  n: number,
  d: number,
  centers: ArrayLike<number>,
  k: number,
  sw?: ArrayLike<number>,
): { labels: Int32Array; minDist: Float64Array; inertia: number } {
  const labels = new Int32Array(n);
  const minDist = new Float64Array(n);
  let inertia = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let lab = 0;
    for (let c = 0; c < k; c++) {
      const a = dist2(x, n, d, i, centers, c * d);
      if (a < best) {
        best = a;
        lab = c;
      }
    }
    labels[i] = lab;
    minDist[i] = best;
    inertia += (sw ? sw[i]! : 1) * best;
  }
  return { labels, minDist, inertia };
}

/** Per-cluster weighted sums of the samples (k×d row-major) and weights. */
export function kmeansCentreSumsRef(
  x: ArrayLike<number>,
  n: number,
  d: number,
  labels: ArrayLike<number>,
  k: number,
  sw?: ArrayLike<number>,
): { sums: Float64Array; counts: Float64Array } {
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    const w = sw ? sw[i]! : 1;
    counts[c] += w;
    for (let j = 0; j < d; j++) sums[c * d + j] += w * x[j * n + i]!;
  }
  return { sums, counts };
}

/** out[i] = min(closest[i], ‖x_i − p‖²) (no min without closest) and Σ sw_i·out[i]. */
export function kmeansPotentialRef(
  x: ArrayLike<number>,
  n: number,
  d: number,
  point: ArrayLike<number>,
  closest?: ArrayLike<number>,
  sw?: ArrayLike<number>,
): { out: Float64Array; total: number } {
  const out = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const a = dist2(x, n, d, i, point, 0);
    out[i] = closest ? Math.min(closest[i]!, a) : a;
    total += (sw ? sw[i]! : 1) * out[i]!;
  }
  return { out, total };
}
