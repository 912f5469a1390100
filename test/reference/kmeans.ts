// Naive k-means kernels over feature-major data x[j*n+i]: the oracles for kmeansAssign, kmeansCentreSums and
// kmeansPotential. Distances are Σ_j (x_j − c_j)² in order j = 0 … d−1, as the kernels compute them.

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
