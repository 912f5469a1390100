// STUB — contract only.
/** labels[i] = argmin_c ‖x_i − C_c‖² (C k×d row-major; ties → lowest c); minDist[i] ← that distance if minDistPtr ≠ 0; returns Σ sw_i·minDist_i (sw = 1 when swPtr = 0). */
export function kmeansAssign(xPtr: usize, n: i32, d: i32, centersPtr: usize, k: i32, labelsPtr: usize, minDistPtr: usize, swPtr: usize, workPtr: usize): f64 { return 0; }
/** sums[c*d+j] += Σ_{i: labels[i]=c} sw_i x_j[i]; counts[c] += Σ_{i: labels[i]=c} sw_i. */
export function kmeansCentreSums(xPtr: usize, n: i32, d: i32, labelsPtr: usize, swPtr: usize, k: i32, sumsPtr: usize, countsPtr: usize): void {}
/** out[i] = min(closest[i], ‖x_i − p‖²) (closestPtr = 0: no min); returns Σ sw_i·out[i]. */
export function kmeansPotential(xPtr: usize, n: i32, d: i32, pointPtr: usize, closestPtr: usize, swPtr: usize, outPtr: usize): f64 { return 0; }
