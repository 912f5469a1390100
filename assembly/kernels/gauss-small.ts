// Full-covariance Gaussian kernels for d ≤ 4 features, where the blocked kernels' panels and tiles cost more than
// the arithmetic: per component, pairs of samples stream straight from x (feature-major, x[j*n + i]) with the
// component's parameters splatted into registers. D is a constant at every call site, so after inlining the
// `D > …` tests fold away and each body is straight-line code. An odd last sample runs through the same body from
// a zero-padded copy in work (r = 0 in its empty lane, so it adds nothing), so there is no scalar twin to keep in step.
// work: 4·D f64.

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

// @ts-ignore: decorator
@inline function splatAt(p: usize, i: i32): v128 {
  return v128.load64_splat(p + (<usize>i << 3));
}

/** Copies the last sample's d features (x stride n) into lane 0 of d zeroed pairs at work; returns work. */
// @ts-ignore: decorator
@inline function padLast(xPtr: usize, n: i32, d: i32, workPtr: usize): usize {
  for (let j = 0; j < d; j++) {
    v128.store(workPtr + (<usize>j << 4), f64x2.replace_lane(f64x2.splat(0), 0, load<f64>(xPtr + ((<usize>j * n + n - 1) << 3))));
  }
  return workPtr;
}

/**
 * out[c·n + i] = cs[c] − ½‖(x_i − μ_c)ᵀU_c‖² for D ≤ 4 (see gaussFullLogProb): y_col = Σ_{j≤col} t_j·U[j][col] summed
 * from j = 0, then Σ y² as (y₀² + y₁²) + (y₂² + y₃²), the blocked kernel's order. work: 4·D f64 (odd n).
 */
// @ts-ignore: decorator
@inline function logProbSmall(
  D: i32, xPtr: usize, n: i32, k: i32, meanPtr: usize, ucPtr: usize, ucStride: i32, csPtr: usize, outPtr: usize, workPtr: usize,
): void {
  const n2 = n & ~1;
  const tail = n2 < n ? padLast(xPtr, n, D, workPtr) : 0;
  const tailOut = workPtr + (<usize>D << 4);
  for (let c = 0; c < k; c++) {
    const mp = meanPtr + ((<usize>c * D) << 3);
    const up = ucPtr + ((<usize>c * ucStride) << 3);
    const cs = csPtr + (<usize>c << 3);
    const out = outPtr + ((<usize>c * n) << 3);
    logProbPairs(D, xPtr, <usize>n << 3, n2 >> 1, mp, up, cs, out);
    if (tail) {
      logProbPairs(D, tail, 16, 1, mp, up, cs, tailOut);
      store<f64>(out + (<usize>n2 << 3), load<f64>(tailOut));
    }
  }
}

/** logProbSmall's body for one component over `pairs` sample pairs at x (feature stride `stride` bytes). */
// @ts-ignore: decorator
@inline function logProbPairs(D: i32, x: usize, stride: usize, pairs: i32, mp: usize, up: usize, cs: usize, out: usize): void {
  const zero = f64x2.splat(0);
  const half = f64x2.splat(-0.5);
  const m0 = splatAt(mp, 0);
  const m1 = D > 1 ? splatAt(mp, 1) : zero;
  const m2 = D > 2 ? splatAt(mp, 2) : zero;
  const m3 = D > 3 ? splatAt(mp, 3) : zero;
  const u00 = splatAt(up, 0);
  const u01 = D > 1 ? splatAt(up, 1) : zero;
  const u11 = D > 1 ? splatAt(up, D + 1) : zero;
  const u02 = D > 2 ? splatAt(up, 2) : zero;
  const u12 = D > 2 ? splatAt(up, D + 2) : zero;
  const u22 = D > 2 ? splatAt(up, 2 * D + 2) : zero;
  const u03 = D > 3 ? splatAt(up, 3) : zero;
  const u13 = D > 3 ? splatAt(up, D + 3) : zero;
  const u23 = D > 3 ? splatAt(up, 2 * D + 3) : zero;
  const u33 = D > 3 ? splatAt(up, 3 * D + 3) : zero;
  const cv = v128.load64_splat(cs);
  const end = out + (<usize>pairs << 4);
  for (let o = out; o < end; o += 16) {
    const t0 = f64x2.sub(v128.load(x), m0);
    const t1 = D > 1 ? f64x2.sub(v128.load(x + stride), m1) : zero;
    const t2 = D > 2 ? f64x2.sub(v128.load(x + 2 * stride), m2) : zero;
    const t3 = D > 3 ? f64x2.sub(v128.load(x + 3 * stride), m3) : zero;
    const y0 = f64x2.mul(t0, u00);
    let s = f64x2.mul(y0, y0);
    if (D > 1) {
      const y1 = f64x2.add(f64x2.mul(t0, u01), f64x2.mul(t1, u11));
      s = f64x2.add(s, f64x2.mul(y1, y1));
    }
    if (D > 2) {
      const y2 = f64x2.add(f64x2.add(f64x2.mul(t0, u02), f64x2.mul(t1, u12)), f64x2.mul(t2, u22));
      let s2 = f64x2.mul(y2, y2);
      if (D > 3) {
        const y3 = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(t0, u03), f64x2.mul(t1, u13)), f64x2.mul(t2, u23)), f64x2.mul(t3, u33));
        s2 = f64x2.add(s2, f64x2.mul(y3, y3));
      }
      s = f64x2.add(s, s2);
    }
    v128.store(o, f64x2.add(cv, f64x2.mul(half, s)));
    x += 16;
  }
}

/** acc + a·b */
// @ts-ignore: decorator
@inline function fma(acc: v128, a: v128, b: v128): v128 {
  return f64x2.add(acc, f64x2.mul(a, b));
}

/** Adds v to the f64 at p. */
// @ts-ignore: decorator
@inline function addTo(p: usize, v: f64): void {
  store<f64>(p, load<f64>(p) + v);
}

/**
 * For D ≤ 4, every component c < k: nk[c] += Σ r; s1[c·D + j] += Σ r·x_j; s2[c·D·D + a·D + b] += Σ r·x_a·x_b (both
 * triangles). Per component one pass (two for D ≥ 3) with the 1 + D + D(D+1)/2 sums in lane accumulators. work: 4·D f64 (odd n).
 */
// @ts-ignore: decorator
@inline function accumulateSmall(
  D: i32, xPtr: usize, n: i32, k: i32, rPtr: usize, nkPtr: usize, s1Ptr: usize, s2Ptr: usize, workPtr: usize,
): void {
  const n2 = n & ~1;
  const tail = n2 < n ? padLast(xPtr, n, D, workPtr) : 0;
  const rTail = workPtr + (<usize>D << 4);
  for (let c = 0; c < k; c++) {
    const r = rPtr + ((<usize>c * n) << 3);
    const nk = nkPtr + (<usize>c << 3);
    const m = s1Ptr + ((<usize>c * D) << 3);
    const q = s2Ptr + ((<usize>c * D * D) << 3);
    if (tail) v128.store(rTail, f64x2.replace_lane(f64x2.splat(0), 0, load<f64>(r + (<usize>n2 << 3))));
    if (D < 3) {
      accumulatePairs(D, 0, xPtr, <usize>n << 3, r, n2 >> 1, nk, m, q);
      if (tail) accumulatePairs(D, 0, tail, 16, rTail, 1, nk, m, q);
    } else {
      accumulatePairs(D, 1, xPtr, <usize>n << 3, r, n2 >> 1, nk, m, q);
      if (tail) accumulatePairs(D, 1, tail, 16, rTail, 1, nk, m, q);
      accumulatePairs(D, 2, xPtr, <usize>n << 3, r, n2 >> 1, nk, m, q);
      if (tail) accumulatePairs(D, 2, tail, 16, rTail, 1, nk, m, q);
    }
  }
}

/**
 * accumulateSmall's body for one component over `pairs` sample pairs; adds the sums into nk, m (s1) and q (s2). For
 * D ≥ 3 its 10 or 15 lane sums would not fit V8's 16 registers beside the samples, so it takes two passes (G = 1: Σr,
 * Σr·x and the a, b ≤ 1 moments; G = 2: the moments with b ≥ 2), each adding its lanes in the same order as one pass
 * would. bench/kernel-ab.mjs at n = 1000, k = 6: time × 0.68–0.82 (D = 4), × 0.67–0.85 (D = 3), bit-identical.
 */
// @ts-ignore: decorator
@inline function accumulatePairs(D: i32, G: i32, x: usize, stride: usize, r: usize, pairs: i32, nk: usize, m: usize, q: usize): void {
  const lo = G != 2; // Σr, Σr·x_j, x_0x_0, x_0x_1, x_1x_1
  const hi = G != 1; // x_a·x_b for b ≥ 2
  const zero = f64x2.splat(0);
  let ar = zero, a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  let q00 = zero, q01 = zero, q11 = zero, q02 = zero, q12 = zero, q22 = zero;
  let q03 = zero, q13 = zero, q23 = zero, q33 = zero;
  const end = r + (<usize>pairs << 4);
  for (let rp = r; rp < end; rp += 16) {
    const rv = v128.load(rp);
    const x0 = v128.load(x);
    const rx0 = f64x2.mul(rv, x0);
    if (lo) {
      ar = f64x2.add(ar, rv);
      a0 = f64x2.add(a0, rx0);
      q00 = fma(q00, rx0, x0);
    }
    if (D > 1) {
      const x1 = v128.load(x + stride);
      const rx1 = f64x2.mul(rv, x1);
      if (lo) {
        a1 = f64x2.add(a1, rx1);
        q01 = fma(q01, rx0, x1);
        q11 = fma(q11, rx1, x1);
      }
      if (D > 2) {
        const x2 = v128.load(x + 2 * stride);
        const rx2 = f64x2.mul(rv, x2);
        if (lo) a2 = f64x2.add(a2, rx2);
        if (hi) {
          q02 = fma(q02, rx0, x2);
          q12 = fma(q12, rx1, x2);
          q22 = fma(q22, rx2, x2);
        }
        if (D > 3) {
          const x3 = v128.load(x + 3 * stride);
          const rx3 = f64x2.mul(rv, x3);
          if (lo) a3 = f64x2.add(a3, rx3);
          if (hi) {
            q03 = fma(q03, rx0, x3);
            q13 = fma(q13, rx1, x3);
            q23 = fma(q23, rx2, x3);
            q33 = fma(q33, rx3, x3);
          }
        }
      }
    }
    x += 16;
  }
  if (lo) {
    addTo(nk, hsum(ar));
    addTo(m, hsum(a0));
    addTo(q, hsum(q00));
    if (D > 1) {
      addTo(m + 8, hsum(a1));
      const v01 = hsum(q01);
      addTo(q + 8, v01);
      addTo(q + (<usize>D << 3), v01);
      addTo(q + (<usize>(D + 1) << 3), hsum(q11));
    }
    if (D > 2) addTo(m + 16, hsum(a2));
    if (D > 3) addTo(m + 24, hsum(a3));
  }
  if (hi && D > 2) {
    const v02 = hsum(q02);
    const v12 = hsum(q12);
    addTo(q + 16, v02);
    addTo(q + (<usize>(2 * D) << 3), v02);
    addTo(q + (<usize>(D + 2) << 3), v12);
    addTo(q + (<usize>(2 * D + 1) << 3), v12);
    addTo(q + (<usize>(2 * D + 2) << 3), hsum(q22));
  }
  if (hi && D > 3) {
    const v03 = hsum(q03);
    const v13 = hsum(q13);
    const v23 = hsum(q23);
    addTo(q + 24, v03);
    addTo(q + (<usize>(3 * D) << 3), v03);
    addTo(q + (<usize>(D + 3) << 3), v13);
    addTo(q + (<usize>(3 * D + 1) << 3), v13);
    addTo(q + (<usize>(2 * D + 3) << 3), v23);
    addTo(q + (<usize>(3 * D + 2) << 3), v23);
    addTo(q + (<usize>(3 * D + 3) << 3), hsum(q33));
  }
}

// One function per D: each specialisation compiles on its own, so V8 allocates registers for its loop alone.

/** logProbSmall for d ≤ 4 (d ≥ 1). */
export function gaussSmallLogProb(
  d: i32, xPtr: usize, n: i32, k: i32, meanPtr: usize, ucPtr: usize, ucStride: i32, csPtr: usize, outPtr: usize, workPtr: usize,
): void {
  if (d == 1) logProb1(xPtr, n, k, meanPtr, ucPtr, ucStride, csPtr, outPtr, workPtr);
  else if (d == 2) logProb2(xPtr, n, k, meanPtr, ucPtr, ucStride, csPtr, outPtr, workPtr);
  else if (d == 3) logProb3(xPtr, n, k, meanPtr, ucPtr, ucStride, csPtr, outPtr, workPtr);
  else logProb4(xPtr, n, k, meanPtr, ucPtr, ucStride, csPtr, outPtr, workPtr);
}

/** accumulateSmall for d ≤ 4 (d ≥ 1). */
export function gaussSmallAccumulate(
  d: i32, xPtr: usize, n: i32, k: i32, rPtr: usize, nkPtr: usize, s1Ptr: usize, s2Ptr: usize, workPtr: usize,
): void {
  if (d == 1) accumulate1(xPtr, n, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr);
  else if (d == 2) accumulate2(xPtr, n, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr);
  else if (d == 3) accumulate3(xPtr, n, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr);
  else accumulate4(xPtr, n, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr);
}

function logProb1(xPtr: usize, n: i32, k: i32, meanPtr: usize, ucPtr: usize, ucStride: i32, csPtr: usize, outPtr: usize, workPtr: usize): void {
  logProbSmall(1, xPtr, n, k, meanPtr, ucPtr, ucStride, csPtr, outPtr, workPtr);
}

function accumulate1(xPtr: usize, n: i32, k: i32, rPtr: usize, nkPtr: usize, s1Ptr: usize, s2Ptr: usize, workPtr: usize): void {
  accumulateSmall(1, xPtr, n, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr);
}

function logProb2(xPtr: usize, n: i32, k: i32, meanPtr: usize, ucPtr: usize, ucStride: i32, csPtr: usize, outPtr: usize, workPtr: usize): void {
  logProbSmall(2, xPtr, n, k, meanPtr, ucPtr, ucStride, csPtr, outPtr, workPtr);
}

function accumulate2(xPtr: usize, n: i32, k: i32, rPtr: usize, nkPtr: usize, s1Ptr: usize, s2Ptr: usize, workPtr: usize): void {
  accumulateSmall(2, xPtr, n, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr);
}

function logProb3(xPtr: usize, n: i32, k: i32, meanPtr: usize, ucPtr: usize, ucStride: i32, csPtr: usize, outPtr: usize, workPtr: usize): void {
  logProbSmall(3, xPtr, n, k, meanPtr, ucPtr, ucStride, csPtr, outPtr, workPtr);
}

function accumulate3(xPtr: usize, n: i32, k: i32, rPtr: usize, nkPtr: usize, s1Ptr: usize, s2Ptr: usize, workPtr: usize): void {
  accumulateSmall(3, xPtr, n, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr);
}

function logProb4(xPtr: usize, n: i32, k: i32, meanPtr: usize, ucPtr: usize, ucStride: i32, csPtr: usize, outPtr: usize, workPtr: usize): void {
  logProbSmall(4, xPtr, n, k, meanPtr, ucPtr, ucStride, csPtr, outPtr, workPtr);
}

function accumulate4(xPtr: usize, n: i32, k: i32, rPtr: usize, nkPtr: usize, s1Ptr: usize, s2Ptr: usize, workPtr: usize): void {
  accumulateSmall(4, xPtr, n, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr);
}
