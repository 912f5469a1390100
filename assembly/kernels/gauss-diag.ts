// Diagonal-covariance Gaussian kernels over feature-major data x[j*n + i]; lanes run over two samples.

/** out[i] = c − ½ Σ_j prec[j]·(x_j[i] − μ_j)² (diag; spherical passes its precision replicated). 8 samples per step. */
export function gaussDiagLogProb(xPtr: usize, n: i32, d: i32, meanPtr: usize, precPtr: usize, c: f64, outPtr: usize): void {
  const half = f64x2.splat(-0.5);
  const cv = f64x2.splat(c);
  const n8 = n & ~7;
  for (let i = 0; i < n8; i += 8) {
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    for (let j = 0; j < d; j++) {
      const p = xPtr + ((<usize>j * n + i) << 3);
      const mu = f64x2.splat(load<f64>(meanPtr + (<usize>j << 3)));
      const pr = f64x2.splat(load<f64>(precPtr + (<usize>j << 3)));
      const t0 = f64x2.sub(v128.load(p), mu);
      const t1 = f64x2.sub(v128.load(p, 16), mu);
      const t2 = f64x2.sub(v128.load(p, 32), mu);
      const t3 = f64x2.sub(v128.load(p, 48), mu);
      s0 = f64x2.add(s0, f64x2.mul(f64x2.mul(t0, t0), pr));
      s1 = f64x2.add(s1, f64x2.mul(f64x2.mul(t1, t1), pr));
      s2 = f64x2.add(s2, f64x2.mul(f64x2.mul(t2, t2), pr));
      s3 = f64x2.add(s3, f64x2.mul(f64x2.mul(t3, t3), pr));
    }
    const o = outPtr + (<usize>i << 3);
    v128.store(o, f64x2.add(cv, f64x2.mul(half, s0)));
    v128.store(o, f64x2.add(cv, f64x2.mul(half, s1)), 16);
    v128.store(o, f64x2.add(cv, f64x2.mul(half, s2)), 32);
    v128.store(o, f64x2.add(cv, f64x2.mul(half, s3)), 48);
  }
  for (let i = n8; i < n; i++) {
    let s: f64 = 0;
    for (let j = 0; j < d; j++) {
      const t = load<f64>(xPtr + ((<usize>j * n + i) << 3)) - load<f64>(meanPtr + (<usize>j << 3));
      s += t * t * load<f64>(precPtr + (<usize>j << 3));
    }
    store<f64>(outPtr + (<usize>i << 3), c - 0.5 * s);
  }
}

/** s1[j] += Σ_i r_i x_j[i];  s2[j] += Σ_i r_i x_j[i]²; returns Σ_i r_i. One pass per feature, 4 samples a step. */
export function gaussAccumulateDiag(xPtr: usize, n: i32, d: i32, rPtr: usize, s1Ptr: usize, s2Ptr: usize): f64 {
  const n4 = n & ~3;
  let rt0 = f64x2.splat(0), rt1 = f64x2.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 3;
    rt0 = f64x2.add(rt0, v128.load(rPtr + o));
    rt1 = f64x2.add(rt1, v128.load(rPtr + o, 16));
  }
  const rs = f64x2.add(rt0, rt1);
  let total = f64x2.extract_lane(rs, 0) + f64x2.extract_lane(rs, 1);
  for (let i = n4; i < n; i++) total += load<f64>(rPtr + (<usize>i << 3));
  for (let j = 0; j < d; j++) {
    const xp = xPtr + ((<usize>j * n) << 3);
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), q0 = f64x2.splat(0), q1 = f64x2.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 3;
      const x0 = v128.load(xp + o);
      const x1 = v128.load(xp + o, 16);
      const r0 = f64x2.mul(v128.load(rPtr + o), x0);
      const r1 = f64x2.mul(v128.load(rPtr + o, 16), x1);
      a0 = f64x2.add(a0, r0);
      a1 = f64x2.add(a1, r1);
      q0 = f64x2.add(q0, f64x2.mul(r0, x0));
      q1 = f64x2.add(q1, f64x2.mul(r1, x1));
    }
    const a = f64x2.add(a0, a1);
    const q = f64x2.add(q0, q1);
    let s1 = f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
    let s2 = f64x2.extract_lane(q, 0) + f64x2.extract_lane(q, 1);
    for (let i = n4; i < n; i++) {
      const x = load<f64>(xp + (<usize>i << 3));
      const rx = load<f64>(rPtr + (<usize>i << 3)) * x;
      s1 += rx;
      s2 += rx * x;
    }
    store<f64>(s1Ptr + (<usize>j << 3), load<f64>(s1Ptr + (<usize>j << 3)) + s1);
    store<f64>(s2Ptr + (<usize>j << 3), load<f64>(s2Ptr + (<usize>j << 3)) + s2);
  }
  return total;
}
