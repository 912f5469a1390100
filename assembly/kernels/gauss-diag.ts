// Diagonal-covariance Gaussian kernels over feature-major data x[j*n + i]; lanes run over two samples. The
// log-density goes in blocks of BS samples, every component evaluated on a block while it is in cache, so x
// streams from memory once per call whatever k is.

const BS: i32 = 128;

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** acc + (x − μ)²·p, the log-density's term for one feature. */
// @ts-ignore: decorator
@inline function sqAdd(acc: v128, x: v128, mu: v128, p: v128): v128 {
  const t = f64x2.sub(x, mu);
  return f64x2.add(acc, f64x2.mul(f64x2.mul(t, t), p));
}

/** cs + ½·(−s): one output vector of the log-density. */
// @ts-ignore: decorator
@inline function finish(cv: v128, s: v128): v128 {
  return f64x2.add(cv, f64x2.mul(f64x2.splat(-0.5), s));
}

/**
 * out[c·n + i] = cs[c] − ½ Σ_j prec[c·d + j]·(x_j[i] − μ_cj)² for every component c < k (diag; spherical passes its
 * precision replicated over features). Components in pairs, 8 samples per step: each load of x serves both
 * components of the pair (8 accumulators); an odd last component runs alone (4 accumulators). Every output is the
 * same sum in the same order either way.
 */
export function gaussDiagLogProb(xPtr: usize, n: i32, d: i32, k: i32, meanPtr: usize, precPtr: usize, csPtr: usize, outPtr: usize): void {
  if (d <= 4) {
    if (d == 1) diagSmall1(xPtr, n, k, meanPtr, precPtr, csPtr, outPtr);
    else if (d == 2) diagSmall2(xPtr, n, k, meanPtr, precPtr, csPtr, outPtr);
    else if (d == 3) diagSmall3(xPtr, n, k, meanPtr, precPtr, csPtr, outPtr);
    else diagSmall4(xPtr, n, k, meanPtr, precPtr, csPtr, outPtr);
    return;
  }
  // Pairing components: time × 0.87–0.89 at n = 4104, d = 16, k = 8 (A2 diag's chunk) against the one-component loop
  // (bench/kernel-ab.mjs; the same build against itself reads 0.96–1.02 there). d ≤ 4 goes to diagSmall (below).
  const rowBytes = <usize>n << 3;
  const dBytes = <usize>d << 3;
  for (let i0 = 0; i0 < n; i0 += BS) {
    const iEnd = min(i0 + BS, n);
    const i8 = i0 + ((iEnd - i0) & ~7);
    let c = 0;
    for (; c + 2 <= k; c += 2) {
      const m0 = meanPtr + ((<usize>c * d) << 3);
      const m1 = m0 + dBytes;
      const q0 = precPtr + ((<usize>c * d) << 3);
      const q1 = q0 + dBytes;
      const cv0 = f64x2.splat(load<f64>(csPtr + (<usize>c << 3)));
      const cv1 = f64x2.splat(load<f64>(csPtr + (<usize>(c + 1) << 3)));
      const out0 = outPtr + ((<usize>c * n) << 3);
      const out1 = out0 + rowBytes;
      for (let i = i0; i < i8; i += 8) {
        let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
        let b0 = f64x2.splat(0), b1 = f64x2.splat(0), b2 = f64x2.splat(0), b3 = f64x2.splat(0);
        let p = xPtr + (<usize>i << 3);
        const mEnd = m0 + dBytes;
        for (let jo = m0; jo < mEnd; jo += 8) {
          const x0 = v128.load(p);
          const x1 = v128.load(p, 16);
          const x2 = v128.load(p, 32);
          const x3 = v128.load(p, 48);
          p += rowBytes;
          const mu0 = v128.load64_splat(jo);
          const pr0 = v128.load64_splat(jo + (q0 - m0));
          a0 = sqAdd(a0, x0, mu0, pr0);
          a1 = sqAdd(a1, x1, mu0, pr0);
          a2 = sqAdd(a2, x2, mu0, pr0);
          a3 = sqAdd(a3, x3, mu0, pr0);
          const mu1 = v128.load64_splat(jo + dBytes);
          const pr1 = v128.load64_splat(jo + (q1 - m0));
          b0 = sqAdd(b0, x0, mu1, pr1);
          b1 = sqAdd(b1, x1, mu1, pr1);
          b2 = sqAdd(b2, x2, mu1, pr1);
          b3 = sqAdd(b3, x3, mu1, pr1);
        }
        const o0 = out0 + (<usize>i << 3);
        const o1 = out1 + (<usize>i << 3);
        v128.store(o0, finish(cv0, a0));
        v128.store(o0, finish(cv0, a1), 16);
        v128.store(o0, finish(cv0, a2), 32);
        v128.store(o0, finish(cv0, a3), 48);
        v128.store(o1, finish(cv1, b0));
        v128.store(o1, finish(cv1, b1), 16);
        v128.store(o1, finish(cv1, b2), 32);
        v128.store(o1, finish(cv1, b3), 48);
      }
    }
    if (c < k) {
      const m = meanPtr + ((<usize>c * d) << 3);
      const q = precPtr + ((<usize>c * d) << 3);
      const cv = f64x2.splat(load<f64>(csPtr + (<usize>c << 3)));
      const out = outPtr + ((<usize>c * n) << 3);
      for (let i = i0; i < i8; i += 8) {
        let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
        let p = xPtr + (<usize>i << 3);
        const mEnd = m + dBytes;
        for (let jo = m; jo < mEnd; jo += 8) {
          const mu = v128.load64_splat(jo);
          const pr = v128.load64_splat(jo + (q - m));
          s0 = sqAdd(s0, v128.load(p), mu, pr);
          s1 = sqAdd(s1, v128.load(p, 16), mu, pr);
          s2 = sqAdd(s2, v128.load(p, 32), mu, pr);
          s3 = sqAdd(s3, v128.load(p, 48), mu, pr);
          p += rowBytes;
        }
        const o = out + (<usize>i << 3);
        v128.store(o, finish(cv, s0));
        v128.store(o, finish(cv, s1), 16);
        v128.store(o, finish(cv, s2), 32);
        v128.store(o, finish(cv, s3), 48);
      }
    }
    for (let cc = 0; cc < k; cc++) {
      const m = meanPtr + ((<usize>cc * d) << 3);
      const q = precPtr + ((<usize>cc * d) << 3);
      const cs = load<f64>(csPtr + (<usize>cc << 3));
      const out = outPtr + ((<usize>cc * n) << 3);
      for (let i = i8; i < iEnd; i++) {
        let s: f64 = 0;
        for (let j = 0; j < d; j++) {
          const t = load<f64>(xPtr + ((<usize>j * n + i) << 3)) - load<f64>(m + (<usize>j << 3));
          s += t * t * load<f64>(q + (<usize>j << 3));
        }
        store<f64>(out + (<usize>i << 3), cs - 0.5 * s);
      }
    }
  }
}

// d ≤ 4: per component, pairs of samples stream straight from x with μ_c and p_c splatted into registers (the
// blocked loop's feature loop is too short to pay for itself there). Same sums in the same order as the loop above.
function diagSmall1(x: usize, n: i32, k: i32, m: usize, q: usize, cs: usize, out: usize): void { diagSmall(1, x, n, k, m, q, cs, out); }
function diagSmall2(x: usize, n: i32, k: i32, m: usize, q: usize, cs: usize, out: usize): void { diagSmall(2, x, n, k, m, q, cs, out); }
function diagSmall3(x: usize, n: i32, k: i32, m: usize, q: usize, cs: usize, out: usize): void { diagSmall(3, x, n, k, m, q, cs, out); }
function diagSmall4(x: usize, n: i32, k: i32, m: usize, q: usize, cs: usize, out: usize): void { diagSmall(4, x, n, k, m, q, cs, out); }

/** gaussDiagLogProb for D ≤ 4 features (D constant at each call site). */
// @ts-ignore: decorator
@inline function diagSmall(D: i32, xPtr: usize, n: i32, k: i32, meanPtr: usize, precPtr: usize, csPtr: usize, outPtr: usize): void {
  const stride = <usize>n << 3;
  const n2 = n & ~1;
  const zero = f64x2.splat(0);
  for (let c = 0; c < k; c++) {
    const mp = meanPtr + ((<usize>c * D) << 3);
    const qp = precPtr + ((<usize>c * D) << 3);
    const mu0 = v128.load64_splat(mp), p0 = v128.load64_splat(qp);
    const mu1 = D > 1 ? v128.load64_splat(mp, 8) : zero, p1 = D > 1 ? v128.load64_splat(qp, 8) : zero;
    const mu2 = D > 2 ? v128.load64_splat(mp, 16) : zero, p2 = D > 2 ? v128.load64_splat(qp, 16) : zero;
    const mu3 = D > 3 ? v128.load64_splat(mp, 24) : zero, p3 = D > 3 ? v128.load64_splat(qp, 24) : zero;
    const cs = load<f64>(csPtr + (<usize>c << 3));
    const cv = f64x2.splat(cs);
    const out = outPtr + ((<usize>c * n) << 3);
    for (let i = 0; i < n2; i += 2) {
      const px = xPtr + (<usize>i << 3);
      let acc = sqAdd(zero, v128.load(px), mu0, p0);
      if (D > 1) acc = sqAdd(acc, v128.load(px + stride), mu1, p1);
      if (D > 2) acc = sqAdd(acc, v128.load(px + 2 * stride), mu2, p2);
      if (D > 3) acc = sqAdd(acc, v128.load(px + 3 * stride), mu3, p3);
      v128.store(out + (<usize>i << 3), finish(cv, acc));
    }
    if (n & 1) {
      let s: f64 = 0;
      for (let j = 0; j < D; j++) {
        const t = load<f64>(xPtr + ((<usize>j * n + n2) << 3)) - load<f64>(mp + (<usize>j << 3));
        s += t * t * load<f64>(qp + (<usize>j << 3));
      }
      store<f64>(out + (<usize>n2 << 3), cs - 0.5 * s);
    }
  }
}

// @ts-ignore: decorator
@inline function addTo(p: usize, v: f64): void {
  store<f64>(p, load<f64>(p) + v);
}

/**
 * For every component c < k with responsibilities r_c = r[c·n …]: nk[c] += Σ_i r_ci; s1[c·d + j] += Σ_i r_ci x_j[i];
 * s2[c·d + j] += Σ_i r_ci x_j[i]² (s2Ptr 0: first moments only). Features in groups of four, two samples a step, so
 * r_c is loaded once per group (8 accumulators); Σ r rides along with the first group.
 */
export function gaussAccumulateDiag(xPtr: usize, n: i32, d: i32, k: i32, rPtr: usize, nkPtr: usize, s1Ptr: usize, s2Ptr: usize): void {
  // Streaming r_c once per feature (as before) kept the loads at two per two multiply-adds; a group of four features
  // shares each r load: 24 % faster at n = 1000, d = 4, k = 6 (the HMM benchmark's shape), 14 % at d = 16 (measured).
  const n2 = n & ~1;
  const stride = <usize>n << 3;
  const stride2 = stride << 1;
  const stride3 = stride2 + stride;
  const d4 = d & ~3;
  for (let c = 0; c < k; c++) {
    const r = rPtr + ((<usize>c * n) << 3);
    let rt = f64x2.splat(0);
    for (let j = 0; j < d4; j += 4) {
      const x0 = xPtr + ((<usize>j * n) << 3);
      const first = j == 0;
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      let q0 = f64x2.splat(0), q1 = f64x2.splat(0), q2 = f64x2.splat(0), q3 = f64x2.splat(0);
      let p = x0;
      const rEnd = r + (<usize>n2 << 3);
      for (let rp = r; rp < rEnd; rp += 16) {
        const rv = v128.load(rp);
        if (first) rt = f64x2.add(rt, rv);
        const v0 = v128.load(p);
        const v1 = v128.load(p + stride);
        const v2 = v128.load(p + stride2);
        const v3 = v128.load(p + stride3);
        p += 16;
        const w0 = f64x2.mul(rv, v0);
        const w1 = f64x2.mul(rv, v1);
        const w2 = f64x2.mul(rv, v2);
        const w3 = f64x2.mul(rv, v3);
        a0 = f64x2.add(a0, w0);
        a1 = f64x2.add(a1, w1);
        a2 = f64x2.add(a2, w2);
        a3 = f64x2.add(a3, w3);
        q0 = f64x2.add(q0, f64x2.mul(w0, v0));
        q1 = f64x2.add(q1, f64x2.mul(w1, v1));
        q2 = f64x2.add(q2, f64x2.mul(w2, v2));
        q3 = f64x2.add(q3, f64x2.mul(w3, v3));
      }
      let s10 = hsum(a0), s11 = hsum(a1), s12 = hsum(a2), s13 = hsum(a3);
      let s20 = hsum(q0), s21 = hsum(q1), s22 = hsum(q2), s23 = hsum(q3);
      if (n & 1) {
        const o = <usize>n2 << 3;
        const rv = load<f64>(r + o);
        const p = x0 + o;
        const v0 = load<f64>(p), v1 = load<f64>(p + stride), v2 = load<f64>(p + stride2), v3 = load<f64>(p + stride3);
        s10 += rv * v0;
        s11 += rv * v1;
        s12 += rv * v2;
        s13 += rv * v3;
        s20 += rv * v0 * v0;
        s21 += rv * v1 * v1;
        s22 += rv * v2 * v2;
        s23 += rv * v3 * v3;
      }
      const p1 = s1Ptr + ((<usize>c * d + j) << 3);
      addTo(p1, s10);
      addTo(p1 + 8, s11);
      addTo(p1 + 16, s12);
      addTo(p1 + 24, s13);
      if (s2Ptr) {
        const p2 = s2Ptr + ((<usize>c * d + j) << 3);
        addTo(p2, s20);
        addTo(p2 + 8, s21);
        addTo(p2 + 16, s22);
        addTo(p2 + 24, s23);
      }
    }
    for (let j = d4; j < d; j++) {
      const xp = xPtr + ((<usize>j * n) << 3);
      const first = j == 0;
      let a0 = f64x2.splat(0), q0 = f64x2.splat(0);
      for (let i = 0; i < n2; i += 2) {
        const o = <usize>i << 3;
        const rv = v128.load(r + o);
        if (first) rt = f64x2.add(rt, rv);
        const v0 = v128.load(xp + o);
        const w0 = f64x2.mul(rv, v0);
        a0 = f64x2.add(a0, w0);
        q0 = f64x2.add(q0, f64x2.mul(w0, v0));
      }
      let s1 = hsum(a0);
      let s2 = hsum(q0);
      if (n & 1) {
        const o = <usize>n2 << 3;
        const rx = load<f64>(r + o) * load<f64>(xp + o);
        s1 += rx;
        s2 += rx * load<f64>(xp + o);
      }
      addTo(s1Ptr + ((<usize>c * d + j) << 3), s1);
      if (s2Ptr) addTo(s2Ptr + ((<usize>c * d + j) << 3), s2);
    }
    let total = hsum(rt);
    if (n & 1) total += load<f64>(r + (<usize>n2 << 3));
    addTo(nkPtr + (<usize>c << 3), total);
  }
}
