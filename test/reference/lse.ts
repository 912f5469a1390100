// Naive log-sum-exp normalisation with Math.exp/Math.log: the oracle for logSumExpNormalize.

/** logp is k×n component-major (logp[c*n+i]). Returns responsibilities (times sw), per-sample lse and Σ sw_i·lse_i. */
export function logSumExpNormalizeRef(
  logp: ArrayLike<number>,
  n: number,
  k: number,
  sw?: ArrayLike<number>,
): { resp: Float64Array; lse: Float64Array; total: number } {
  const resp = new Float64Array(k * n);
  const lse = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let c = 0; c < k; c++) m = Math.max(m, logp[c * n + i]!);
    const w = sw ? sw[i]! : 1;
    if (m === -Infinity) {
      lse[i] = -Infinity;
      if (w !== 0) total += w * -Infinity;
      continue;
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(logp[c * n + i]! - m);
    const l = m + Math.log(s);
    lse[i] = l;
    for (let c = 0; c < k; c++) resp[c * n + i] = w * Math.exp(logp[c * n + i]! - l);
    if (w !== 0) total += w * l;
  }
  return { resp, lse, total };
}
