// Full-covariance Gaussian kernels over feature-major data x[j*n + i]: lanes run over two samples.
// Samples are processed in blocks of BS, copied (centred, or weighted) into a contiguous work panel so that the
// register tiles below read unit-stride memory whatever d is.

const BS: i32 = 64; // samples per block (panel: d × BS f64)

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * out[i] = c − ½‖(x_i − μ)ᵀU‖² with U d×d row-major upper-triangular (scikit-learn's precisions_cholesky_[k]):
 * y_col = Σ_{j≤col} (x_j − μ_j)·U[j][col]. Tiles of 4 columns × 4 samples keep 8 v128 accumulators live.
 * work: ≥ d·BS + 8 f64.
 */
export function gaussFullLogProb(xPtr: usize, n: i32, d: i32, meanPtr: usize, precCholPtr: usize, c: f64, outPtr: usize, workPtr: usize): void {
  const half = f64x2.splat(-0.5);
  const cv = f64x2.splat(c);
  for (let i0 = 0; i0 < n; i0 += BS) {
    const bs = min(BS, n - i0);
    const b4 = bs & ~3;
    // Centre the block into the panel: p[j*BS + ii] = x_j[i0+ii] − μ_j.
    for (let j = 0; j < d; j++) {
      const mu = load<f64>(meanPtr + (<usize>j << 3));
      const src = xPtr + ((<usize>j * n + i0) << 3);
      const dst = workPtr + ((<usize>j * BS) << 3);
      const muv = f64x2.splat(mu);
      let ii = 0;
      for (; ii + 1 < bs; ii += 2) v128.store(dst + (<usize>ii << 3), f64x2.sub(v128.load(src + (<usize>ii << 3)), muv));
      if (ii < bs) store<f64>(dst + (<usize>ii << 3), load<f64>(src + (<usize>ii << 3)) - mu);
    }
    // Four samples at a time: Σ_col y_col².
    for (let ii = 0; ii < b4; ii += 4) {
      let s0 = f64x2.splat(0);
      let s1 = f64x2.splat(0);
      let col = 0;
      for (; col + 3 < d; col += 4) {
        let a00 = f64x2.splat(0), a01 = f64x2.splat(0), a10 = f64x2.splat(0), a11 = f64x2.splat(0);
        let a20 = f64x2.splat(0), a21 = f64x2.splat(0), a30 = f64x2.splat(0), a31 = f64x2.splat(0);
        const jEnd = col + 4; // U[j][col..col+3] is 0 for j > col+3
        for (let j = 0; j < jEnd; j++) {
          const p = workPtr + ((<usize>j * BS + ii) << 3);
          const x0 = v128.load(p);
          const x1 = v128.load(p, 16);
          const u = precCholPtr + ((<usize>j * d + col) << 3);
          const u0 = f64x2.splat(load<f64>(u));
          const u1 = f64x2.splat(load<f64>(u, 8));
          const u2 = f64x2.splat(load<f64>(u, 16));
          const u3 = f64x2.splat(load<f64>(u, 24));
          a00 = f64x2.add(a00, f64x2.mul(x0, u0));
          a01 = f64x2.add(a01, f64x2.mul(x1, u0));
          a10 = f64x2.add(a10, f64x2.mul(x0, u1));
          a11 = f64x2.add(a11, f64x2.mul(x1, u1));
          a20 = f64x2.add(a20, f64x2.mul(x0, u2));
          a21 = f64x2.add(a21, f64x2.mul(x1, u2));
          a30 = f64x2.add(a30, f64x2.mul(x0, u3));
          a31 = f64x2.add(a31, f64x2.mul(x1, u3));
        }
        s0 = f64x2.add(s0, f64x2.add(f64x2.add(f64x2.mul(a00, a00), f64x2.mul(a10, a10)), f64x2.add(f64x2.mul(a20, a20), f64x2.mul(a30, a30))));
        s1 = f64x2.add(s1, f64x2.add(f64x2.add(f64x2.mul(a01, a01), f64x2.mul(a11, a11)), f64x2.add(f64x2.mul(a21, a21), f64x2.mul(a31, a31))));
      }
      for (; col < d; col++) {
        let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
        for (let j = 0; j <= col; j++) {
          const p = workPtr + ((<usize>j * BS + ii) << 3);
          const u = f64x2.splat(load<f64>(precCholPtr + ((<usize>j * d + col) << 3)));
          a0 = f64x2.add(a0, f64x2.mul(v128.load(p), u));
          a1 = f64x2.add(a1, f64x2.mul(v128.load(p, 16), u));
        }
        s0 = f64x2.add(s0, f64x2.mul(a0, a0));
        s1 = f64x2.add(s1, f64x2.mul(a1, a1));
      }
      const o = outPtr + ((<usize>(i0 + ii)) << 3);
      v128.store(o, f64x2.add(cv, f64x2.mul(half, s0)));
      v128.store(o, f64x2.add(cv, f64x2.mul(half, s1)), 16);
    }
    // Scalar tail of the block.
    for (let ii = b4; ii < bs; ii++) {
      let s: f64 = 0;
      for (let col = 0; col < d; col++) {
        let y: f64 = 0;
        for (let j = 0; j <= col; j++) y += load<f64>(workPtr + ((<usize>j * BS + ii) << 3)) * load<f64>(precCholPtr + ((<usize>j * d + col) << 3));
        s += y * y;
      }
      store<f64>(outPtr + ((<usize>(i0 + ii)) << 3), c - 0.5 * s);
    }
  }
}

/**
 * s1[j] += Σ_i r_i x_j[i];  s2[a*d+b] += Σ_i r_i x_a[i] x_b[i] (both triangles); returns Σ_i r_i.
 * Per block: panels R[a] = r·x_a and X[b] = x_b; tiles of 2 rows × 4 columns with b ≥ a (8 accumulators) sum
 * over the block and add into a d×d×2 lane buffer; one horizontal pass at the end. work: ≥ 2·d·BS + 2·d·d + 8 f64.
 */
export function gaussAccumulateFull(xPtr: usize, n: i32, d: i32, rPtr: usize, s1Ptr: usize, s2Ptr: usize, workPtr: usize): f64 {
  const rxPtr = workPtr;
  const xbPtr = rxPtr + ((<usize>d * BS) << 3);
  const accPtr = xbPtr + ((<usize>d * BS) << 3); // d×d v128 lane sums (upper triangle used)
  const dd = <usize>d * d;
  for (let p: usize = 0; p < dd; p++) v128.store(accPtr + (p << 4), f64x2.splat(0));
  let total: f64 = 0;
  for (let i0 = 0; i0 < n; i0 += BS) {
    const bs = min(BS, n - i0);
    const bsE = (bs + 1) & ~1; // pad an odd block with one zero sample
    const rsrc = rPtr + (<usize>i0 << 3);
    for (let j = 0; j < d; j++) {
      const src = xPtr + ((<usize>j * n + i0) << 3);
      const rd = rxPtr + ((<usize>j * BS) << 3);
      const xd = xbPtr + ((<usize>j * BS) << 3);
      let ii = 0;
      let s = f64x2.splat(0);
      for (; ii + 1 < bs; ii += 2) {
        const xv = v128.load(src + (<usize>ii << 3));
        const rx = f64x2.mul(v128.load(rsrc + (<usize>ii << 3)), xv);
        v128.store(xd + (<usize>ii << 3), xv);
        v128.store(rd + (<usize>ii << 3), rx);
        s = f64x2.add(s, rx);
      }
      let st = hsum(s);
      if (ii < bs) {
        const xv = load<f64>(src + (<usize>ii << 3));
        const rx = load<f64>(rsrc + (<usize>ii << 3)) * xv;
        store<f64>(xd + (<usize>ii << 3), xv);
        store<f64>(rd + (<usize>ii << 3), rx);
        store<f64>(xd + (<usize>(ii + 1) << 3), 0);
        store<f64>(rd + (<usize>(ii + 1) << 3), 0);
        st += rx;
      }
      store<f64>(s1Ptr + (<usize>j << 3), load<f64>(s1Ptr + (<usize>j << 3)) + st);
    }
    for (let ii = 0; ii < bs; ii++) total += load<f64>(rsrc + (<usize>ii << 3));
    // Tiles over (a, b), a in steps of 2, b in steps of 4 from the tile that holds the diagonal.
    let a = 0;
    for (; a + 1 < d; a += 2) {
      let b = a & ~3;
      for (; b + 3 < d; b += 4) {
        let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
        let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
        const ra0 = rxPtr + ((<usize>a * BS) << 3);
        const ra1 = ra0 + (<usize>BS << 3);
        const xb0 = xbPtr + ((<usize>b * BS) << 3);
        const xb1 = xb0 + (<usize>BS << 3);
        const xb2 = xb1 + (<usize>BS << 3);
        const xb3 = xb2 + (<usize>BS << 3);
        for (let ii = 0; ii < bsE; ii += 2) {
          const o = <usize>ii << 3;
          const r0 = v128.load(ra0 + o);
          const r1 = v128.load(ra1 + o);
          const y0 = v128.load(xb0 + o);
          const y1 = v128.load(xb1 + o);
          const y2 = v128.load(xb2 + o);
          const y3 = v128.load(xb3 + o);
          c00 = f64x2.add(c00, f64x2.mul(r0, y0));
          c01 = f64x2.add(c01, f64x2.mul(r0, y1));
          c02 = f64x2.add(c02, f64x2.mul(r0, y2));
          c03 = f64x2.add(c03, f64x2.mul(r0, y3));
          c10 = f64x2.add(c10, f64x2.mul(r1, y0));
          c11 = f64x2.add(c11, f64x2.mul(r1, y1));
          c12 = f64x2.add(c12, f64x2.mul(r1, y2));
          c13 = f64x2.add(c13, f64x2.mul(r1, y3));
        }
        const t0 = accPtr + ((<usize>a * d + b) << 4);
        const t1 = t0 + (<usize>d << 4);
        v128.store(t0, f64x2.add(v128.load(t0), c00));
        v128.store(t0, f64x2.add(v128.load(t0, 16), c01), 16);
        v128.store(t0, f64x2.add(v128.load(t0, 32), c02), 32);
        v128.store(t0, f64x2.add(v128.load(t0, 48), c03), 48);
        v128.store(t1, f64x2.add(v128.load(t1), c10));
        v128.store(t1, f64x2.add(v128.load(t1, 16), c11), 16);
        v128.store(t1, f64x2.add(v128.load(t1, 32), c12), 32);
        v128.store(t1, f64x2.add(v128.load(t1, 48), c13), 48);
      }
      for (; b < d; b++) rowPair1(rxPtr, xbPtr, accPtr, a, b, d, bsE);
    }
    if (a < d) for (let b = a; b < d; b++) rowPair1(rxPtr, xbPtr, accPtr, a, b, d, bsE);
  }
  // Horizontal sums of the upper triangle, mirrored.
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = hsum(v128.load(accPtr + ((<usize>a * d + b) << 4)));
      const pab = s2Ptr + ((<usize>a * d + b) << 3);
      store<f64>(pab, load<f64>(pab) + v);
      if (b != a) {
        const pba = s2Ptr + ((<usize>b * d + a) << 3);
        store<f64>(pba, load<f64>(pba) + v);
      }
    }
  }
  return total;
}

/** Entries (a, b) and (a+1, b) where it exists, for one column b: the edges the 2×4 tiles miss. */
// @ts-ignore: decorator
@inline function rowPair1(rxPtr: usize, xbPtr: usize, accPtr: usize, a: i32, b: i32, d: i32, bsE: i32): void {
  const two = a + 1 < d;
  let c0 = f64x2.splat(0), c1 = f64x2.splat(0);
  const ra0 = rxPtr + ((<usize>a * BS) << 3);
  const ra1 = ra0 + (<usize>BS << 3);
  const xb = xbPtr + ((<usize>b * BS) << 3);
  for (let ii = 0; ii < bsE; ii += 2) {
    const o = <usize>ii << 3;
    const y = v128.load(xb + o);
    c0 = f64x2.add(c0, f64x2.mul(v128.load(ra0 + o), y));
    if (two) c1 = f64x2.add(c1, f64x2.mul(v128.load(ra1 + o), y));
  }
  const t0 = accPtr + ((<usize>a * d + b) << 4);
  v128.store(t0, f64x2.add(v128.load(t0), c0));
  if (two) {
    const t1 = t0 + (<usize>d << 4);
    v128.store(t1, f64x2.add(v128.load(t1), c1));
  }
}
