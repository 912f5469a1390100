// STUB — contract only; implemented by the logsumexp/kmeans work.
/**
 * Per sample i (logp is k×n component-major, logp[c*n+i]): lse_i = log Σ_c exp(logp[c*n+i]); replaces logp by the
 * responsibilities exp(logp − lse_i), times sw[i] when swPtr ≠ 0; writes lse_i to lse[i] when lsePtr ≠ 0;
 * returns Σ_i sw_i·lse_i. A sample whose log-probabilities are all −∞ gets lse = −∞ and responsibilities 0.
 */
export function logSumExpNormalize(logpPtr: usize, n: i32, k: i32, swPtr: usize, lsePtr: usize): f64 {
  return 0;
}
