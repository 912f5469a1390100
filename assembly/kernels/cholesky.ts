// STUB — contract only.
/** In place: a (d×d row-major, symmetric) ← L with a = LLᵀ, strict upper part zeroed. Returns −1, or the first pivot that is not positive. */
export function choleskyLower(aPtr: usize, d: i32): i32 { return -1; }
/** out ← U = L⁻ᵀ (upper triangular), where cov = LLᵀ: sklearn's precision Cholesky factor. cov untouched. Returns −1 or the failing pivot. work: ≥ d·d f64. */
export function gaussPrecisionCholesky(covPtr: usize, d: i32, outPtr: usize, workPtr: usize): i32 { return -1; }
