// STUB — contract only.
/** out[i] = c − ½ Σ_j prec[j]·(x_j[i] − μ_j)² (diag; spherical passes prec replicated). */
export function gaussDiagLogProb(xPtr: usize, n: i32, d: i32, meanPtr: usize, precPtr: usize, c: f64, outPtr: usize): void {}
/** s1[j] += Σ_i r_i x_j[i];  s2[j] += Σ_i r_i x_j[i]²; returns Σ_i r_i. */
export function gaussAccumulateDiag(xPtr: usize, n: i32, d: i32, rPtr: usize, s1Ptr: usize, s2Ptr: usize): f64 { return 0; }
