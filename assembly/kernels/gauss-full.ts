// STUB — contract only.
/** out[i] = c − ½‖(x_i − μ)ᵀU‖², x feature-major (x[j*n+i]), U d×d row-major upper-triangular (sklearn's precisions_cholesky_[k]). work: ≥ 16·d f64. */
export function gaussFullLogProb(xPtr: usize, n: i32, d: i32, meanPtr: usize, precCholPtr: usize, c: f64, outPtr: usize, workPtr: usize): void {}
/** s1[j] += Σ_i r_i x_j[i];  s2[a*d+b] += Σ_i r_i x_a[i] x_b[i] (both triangles); returns Σ_i r_i. work: ≥ 16·d f64. */
export function gaussAccumulateFull(xPtr: usize, n: i32, d: i32, rPtr: usize, s1Ptr: usize, s2Ptr: usize, workPtr: usize): f64 { return 0; }
