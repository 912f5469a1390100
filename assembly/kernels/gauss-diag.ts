// Diagonal-covariance Gaussian kernels over feature-major data x[j*n + i]; lanes run over two samples. The
// log-density goes in blocks of BS samples, every component evaluated on a block while it is in cache, so x
// streams from memory once per call whatever k is.

const BS: i32 = 128;

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * out[c·n + i] = cs[c] − ½ Σ_j prec[c·d + j]·(x_j[i] − μ_cj)² for every component c < k (diag; spherical passes its
 * precision replicated over features). 8 samples per step, 4 accumulators.
 */
export function gaussDiagLogProb(xPtr: usize, n: i32, d: i32, k: i32, meanPtr: usize, precPtr: usize, csPtr: usize, outPtr: usize): void {
  const half = f64x2.splat(-0.5);
  for (let i0 = 0; i0 < n; i0 += BS) {
    const iEnd = min(i0 + BS, n);
    const i8 = i0 + ((iEnd - i0) & ~7);
    for (let c = 0; c < k; c++) {
      const m = meanPtr + ((<usize>c * d) << 3);
      const pp = precPtr + ((<usize>c * d) << 3);
      const cs = load<f64>(csPtr + (<usize>c << 3));
      const cv = f64x2.splat(cs);
      const out = outPtr + ((<usize>c * n) << 3);
      for (let i = i0; i < i8; i += 8) {
        let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
        for (let j = 0; j < d; j++) {
          const p = xPtr + ((<usize>j * n + i) << 3);
          const mu = f64x2.splat(load<f64>(m + (<usize>j << 3)));
          const pr = f64x2.splat(load<f64>(pp + (<usize>j << 3)));
          const t0 = f64x2.sub(v128.load(p), mu);
          const t1 = f64x2.sub(v128.load(p, 16), mu);
          const t2 = f64x2.sub(v128.load(p, 32), mu);
          const t3 = f64x2.sub(v128.load(p, 48), mu);
          s0 = f64x2.add(s0, f64x2.mul(f64x2.mul(t0, t0), pr));
          s1 = f64x2.add(s1, f64x2.mul(f64x2.mul(t1, t1), pr));
          s2 = f64x2.add(s2, f64x2.mul(f64x2.mul(t2, t2), pr));
          s3 = f64x2.add(s3, f64x2.mul(f64x2.mul(t3, t3), pr));
        }
        const o = out + (<usize>i << 3);
        v128.store(o, f64x2.add(cv, f64x2.mul(half, s0)));
        v128.store(o, f64x2.add(cv, f64x2.mul(half, s1)), 16);
        v128.store(o, f64x2.add(cv, f64x2.mul(half, s2)), 32);
        v128.store(o, f64x2.add(cv, f64x2.mul(half, s3)), 48);
      }
      for (let i = i8; i < iEnd; i++) {
        let s: f64 = 0;
        for (let j = 0; j < d; j++) {
          const t = load<f64>(xPtr + ((<usize>j * n + i) << 3)) - load<f64>(m + (<usize>j << 3));
          s += t * t * load<f64>(pp + (<usize>j << 3));
        }
        store<f64>(out + (<usize>i << 3), cs - 0.5 * s);
      }
    }
  }
}

/**
 * For every component c < k with responsibilities r_c = r[c·n …]: nk[c] += Σ_i r_ci; s1[c·d + j] += Σ_i r_ci x_j[i];
 * s2[c·d + j] += Σ_i r_ci x_j[i]² (s2Ptr 0: first moments only). 4 samples a step, 4 accumulators.
 */
export function gaussAccumulateDiag(xPtr: usize, n: i32, d: i32, k: i32, rPtr: usize, nkPtr: usize, s1Ptr: usize, s2Ptr: usize): void {
  const n4 = n & ~3;
  for (let c = 0; c < k; c++) {
    const r = rPtr + ((<usize>c * n) << 3);
    let rt0 = f64x2.splat(0), rt1 = f64x2.splat(0);
    for (let i = 0; i < n4; i += 4) {
      const o = <usize>i << 3;
      rt0 = f64x2.add(rt0, v128.load(r + o));
      rt1 = f64x2.add(rt1, v128.load(r + o, 16));
    }
    let total = hsum(f64x2.add(rt0, rt1));
    for (let i = n4; i < n; i++) total += load<f64>(r + (<usize>i << 3));
    const q = nkPtr + (<usize>c << 3);
    store<f64>(q, load<f64>(q) + total);
  }
  // One streaming pass per (component, feature): this loop is bound by its multiplies and adds, not by memory,
  // and long unit-stride runs beat a blocked order here (measured).
  for (let c = 0; c < k; c++) {
    const r = rPtr + ((<usize>c * n) << 3);
    for (let j = 0; j < d; j++) {
      const xp = xPtr + ((<usize>j * n) << 3);
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), q0 = f64x2.splat(0), q1 = f64x2.splat(0);
      for (let i = 0; i < n4; i += 4) {
        const o = <usize>i << 3;
        const x0 = v128.load(xp + o);
        const x1 = v128.load(xp + o, 16);
        const r0 = f64x2.mul(v128.load(r + o), x0);
        const r1 = f64x2.mul(v128.load(r + o, 16), x1);
        a0 = f64x2.add(a0, r0);
        a1 = f64x2.add(a1, r1);
        q0 = f64x2.add(q0, f64x2.mul(r0, x0));
        q1 = f64x2.add(q1, f64x2.mul(r1, x1));
      }
      let s1 = hsum(f64x2.add(a0, a1));
      let s2 = hsum(f64x2.add(q0, q1));
      for (let i = n4; i < n; i++) {
        const x = load<f64>(xp + (<usize>i << 3));
        const rx = load<f64>(r + (<usize>i << 3)) * x;
        s1 += rx;
        s2 += rx * x;
      }
      const p1 = s1Ptr + ((<usize>c * d + j) << 3);
      store<f64>(p1, load<f64>(p1) + s1);
      if (s2Ptr) {
        const p2 = s2Ptr + ((<usize>c * d + j) << 3);
        store<f64>(p2, load<f64>(p2) + s2);
      }
    }
  }
}
