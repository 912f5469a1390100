// Full-covariance Gaussian kernels over feature-major data x[j*n + i]: lanes run over two samples.
// Samples are processed in blocks of BS; every component is evaluated on a block while it is in cache, so x
// streams from memory once per call whatever k is. Inside a block, data is copied (centred, or weighted) into a
// contiguous work panel so that the register tiles below read unit-stride memory whatever d is. d ≤ 4 streams
// instead (gauss-small.ts).

import { gaussSmallAccumulate, gaussSmallLogProb } from './gauss-small';

const BS: i32 = 64; // samples per block (panel: d × BS f64)
const ROW: usize = 512; // bytes between panel rows: BS · 8

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * out[c·n + i] = cs[c] − ½‖(x_i − μ_c)ᵀU_c‖² for every component c < k, with μ_c = means[c·d …] and U_c the d×d
 * row-major upper-triangular factor at uc + c·ucStride f64 (scikit-learn's precisions_cholesky_[c]; ucStride = d·d
 * for full, 0 for tied; its strictly lower part must be zero, as the tiles read it): y_col = Σ_{j≤col} x_j·U[j][col] − (μᵀU)_col,
 * scikit-learn's `X @ prec_chol − mu @ prec_chol` (d ≤ 4: (x − μ)ᵀU, gauss-small.ts). Tiles of 4 columns × 4 samples keep 8 v128
 * accumulators live. cs[c] = −∞ gives −∞. Tied (ucStride 0, k > 1) computes xᵀU once per sample and subtracts μ_cᵀU
 * per component, as scikit-learn does: k times fewer operations. work: ≥ 2·d·BS + k·d + 8 f64.
 */
export function gaussFullLogProb(xPtr: usize, n: i32, d: i32, k: i32, meanPtr: usize, ucPtr: usize, ucStride: i32, csPtr: usize, outPtr: usize, workPtr: usize): void {
  if (d <= 4) {
    gaussSmallLogProb(d, xPtr, n, k, meanPtr, ucPtr, ucStride, csPtr, outPtr, workPtr);
    return;
  }
  if (ucStride == 0 && k > 1) {
    tiedLogProb(xPtr, n, d, k, meanPtr, ucPtr, csPtr, outPtr, workPtr);
    return;
  }
  // scikit-learn's formulation, y = xᵀU_c − μ_cᵀU_c: the panel is copied once per block for all components.
  const xp = workPtr;
  const wp = xp + ((<usize>2 * d * BS) << 3); // k×d: μ_cᵀU_c
  meansTimesFactors(meanPtr, ucPtr, ucStride, d, k, wp);
  for (let i0 = 0; i0 < n; i0 += BS) {
    const bs = min(BS, n - i0);
    copyPanel(xPtr + (<usize>i0 << 3), n, bs, d, xp);
    for (let c = 0; c < k; c++) {
      fullLogProbBlock(xp, bs, d, ucPtr + ((<usize>c * ucStride) << 3), wp + ((<usize>c * d) << 3), load<f64>(csPtr + (<usize>c << 3)), outPtr + ((<usize>c * n + i0) << 3));
    }
  }
}

/** w[c·d + col] = Σ_{j≤col} μ_c[j]·U_c[j][col] for every component (U_c at uc + c·ucStride f64). */
function meansTimesFactors(meanPtr: usize, ucPtr: usize, ucStride: i32, d: i32, k: i32, wp: usize): void {
  for (let c = 0; c < k; c++) {
    const u = ucPtr + ((<usize>c * ucStride) << 3);
    for (let col = 0; col < d; col++) {
      let w: f64 = 0;
      for (let j = 0; j <= col; j++) w += load<f64>(meanPtr + ((<usize>c * d + j) << 3)) * load<f64>(u + ((<usize>j * d + col) << 3));
      store<f64>(wp + ((<usize>c * d + col) << 3), w);
    }
  }
}

/** The block's d features (x stride n) into the panel p[j·BS + ii], zero-padded to a whole 4-sample group. */
// @ts-ignore: decorator
@inline function copyPanel(src0: usize, n: i32, bs: i32, d: i32, xp: usize): void {
  const bsE = (bs + 3) & ~3;
  for (let j = 0; j < d; j++) {
    const src = src0 + ((<usize>j * n) << 3);
    const dst = xp + ((<usize>j * BS) << 3);
    let ii = 0;
    for (; ii + 1 < bs; ii += 2) v128.store(dst + (<usize>ii << 3), v128.load(src + (<usize>ii << 3)));
    for (; ii < bsE; ii++) store<f64>(dst + (<usize>ii << 3), ii < bs ? load<f64>(src + (<usize>ii << 3)) : 0);
  }
}

/**
 * Tied covariance: Y = xᵀU for a block (one triangular product per sample, written to a second panel), then per
 * component out = cs_c − ½‖Y − μ_cᵀU‖² (scikit-learn's `X @ prec_chol − mu @ prec_chol`).
 */
function tiedLogProb(xPtr: usize, n: i32, d: i32, k: i32, meanPtr: usize, ucPtr: usize, csPtr: usize, outPtr: usize, workPtr: usize): void {
  const xp = workPtr;
  const yp = xp + ((<usize>d * BS) << 3);
  const wp = yp + ((<usize>d * BS) << 3); // k×d: μ_cᵀU
  meansTimesFactors(meanPtr, ucPtr, 0, d, k, wp);
  const half = f64x2.splat(-0.5);
  const uStep = <usize>d << 3;
  for (let i0 = 0; i0 < n; i0 += BS) {
    const bs = min(BS, n - i0);
    const bsE = (bs + 3) & ~3; // pad to whole 4-sample groups with zeros
    copyPanel(xPtr + (<usize>i0 << 3), n, bs, d, xp);
    let col = 0;
    for (; col + 3 < d; col += 4) {
      const panelEnd = (<usize>(col + 4) * BS) << 3;
      for (let ii = 0; ii < bsE; ii += 4) {
        let a00 = f64x2.splat(0), a01 = f64x2.splat(0), a10 = f64x2.splat(0), a11 = f64x2.splat(0);
        let a20 = f64x2.splat(0), a21 = f64x2.splat(0), a30 = f64x2.splat(0), a31 = f64x2.splat(0);
        let p = xp + (<usize>ii << 3);
        let u = ucPtr + (<usize>col << 3);
        const pEnd = p + panelEnd;
        for (; p < pEnd; p += ROW, u += uStep) {
          const x0 = v128.load(p);
          const x1 = v128.load(p, 16);
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
        const o = yp + ((<usize>col * BS + ii) << 3);
        v128.store(o, a00);
        v128.store(o, a01, 16);
        v128.store(o, a10, ROW);
        v128.store(o, a11, ROW + 16);
        v128.store(o, a20, 2 * ROW);
        v128.store(o, a21, 2 * ROW + 16);
        v128.store(o, a30, 3 * ROW);
        v128.store(o, a31, 3 * ROW + 16);
      }
    }
    for (; col < d; col++) {
      for (let ii = 0; ii < bsE; ii += 2) {
        let a = f64x2.splat(0);
        for (let j = 0; j <= col; j++) {
          a = f64x2.add(a, f64x2.mul(v128.load(xp + ((<usize>j * BS + ii) << 3)), f64x2.splat(load<f64>(ucPtr + ((<usize>j * d + col) << 3)))));
        }
        v128.store(yp + ((<usize>col * BS + ii) << 3), a);
      }
    }
    const b4 = bs & ~3;
    for (let c = 0; c < k; c++) {
      const cs = load<f64>(csPtr + (<usize>c << 3));
      const cv = f64x2.splat(cs);
      const w = wp + ((<usize>c * d) << 3);
      const out = outPtr + ((<usize>c * n + i0) << 3);
      for (let ii = 0; ii < b4; ii += 4) {
        let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
        let y = yp + (<usize>ii << 3);
        for (let col = 0; col < d; col++, y += ROW) {
          const wv = f64x2.splat(load<f64>(w + (<usize>col << 3)));
          const t0 = f64x2.sub(v128.load(y), wv);
          const t1 = f64x2.sub(v128.load(y, 16), wv);
          s0 = f64x2.add(s0, f64x2.mul(t0, t0));
          s1 = f64x2.add(s1, f64x2.mul(t1, t1));
        }
        v128.store(out + (<usize>ii << 3), f64x2.add(cv, f64x2.mul(half, s0)));
        v128.store(out + (<usize>ii << 3), f64x2.add(cv, f64x2.mul(half, s1)), 16);
      }
      for (let ii = b4; ii < bs; ii++) {
        let s: f64 = 0;
        for (let col = 0; col < d; col++) {
          const t = load<f64>(yp + ((<usize>col * BS + ii) << 3)) - load<f64>(w + (<usize>col << 3));
          s += t * t;
        }
        store<f64>(out + (<usize>ii << 3), cs - 0.5 * s);
      }
    }
  }
}

/**
 * One block of bs ≤ BS samples for one component from the (uncentred) panel xp: out = c − ½ Σ_col (xᵀU[·][col] − w_col)²
 * with w = μᵀU; out is the block's output.
 */
// @ts-ignore: decorator
@inline function fullLogProbBlock(xp: usize, bs: i32, d: i32, precCholPtr: usize, w: usize, c: f64, out: usize): void {
  const half = f64x2.splat(-0.5);
  const cv = f64x2.splat(c);
  const b4 = bs & ~3;
  // Σ_col y_col², four samples at a time: a strip of 4 columns (whose U entries then stay in L1) over every sample
  // group of the block, the partial sums kept in the block's output.
  for (let ii = 0; ii < b4; ii += 2) v128.store(out + (<usize>ii << 3), f64x2.splat(0));
  const uStep = <usize>d << 3;
  let col = 0;
  for (; col + 3 < d; col += 4) {
    const panelEnd = (<usize>(col + 4) * BS) << 3; // U[j][col..col+3] is 0 for j > col+3
    const wc = w + (<usize>col << 3);
    const w0 = v128.load64_splat(wc);
    const w1 = v128.load64_splat(wc, 8);
    const w2 = v128.load64_splat(wc, 16);
    const w3 = v128.load64_splat(wc, 24);
    for (let ii = 0; ii < b4; ii += 4) {
      let a00 = f64x2.splat(0), a01 = f64x2.splat(0), a10 = f64x2.splat(0), a11 = f64x2.splat(0);
      let a20 = f64x2.splat(0), a21 = f64x2.splat(0), a30 = f64x2.splat(0), a31 = f64x2.splat(0);
      // Running pointers down the panel's sample columns and U's columns.
      let p = xp + (<usize>ii << 3);
      let u = precCholPtr + (<usize>col << 3);
      const pEnd = p + panelEnd;
      for (; p < pEnd; p += ROW, u += uStep) {
        const x0 = v128.load(p);
        const x1 = v128.load(p, 16);
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
      a00 = f64x2.sub(a00, w0);
      a01 = f64x2.sub(a01, w0);
      a10 = f64x2.sub(a10, w1);
      a11 = f64x2.sub(a11, w1);
      a20 = f64x2.sub(a20, w2);
      a21 = f64x2.sub(a21, w2);
      a30 = f64x2.sub(a30, w3);
      a31 = f64x2.sub(a31, w3);
      const o = out + (<usize>ii << 3);
      v128.store(o, f64x2.add(v128.load(o), f64x2.add(f64x2.add(f64x2.mul(a00, a00), f64x2.mul(a10, a10)), f64x2.add(f64x2.mul(a20, a20), f64x2.mul(a30, a30)))));
      v128.store(o, f64x2.add(v128.load(o, 16), f64x2.add(f64x2.add(f64x2.mul(a01, a01), f64x2.mul(a11, a11)), f64x2.add(f64x2.mul(a21, a21), f64x2.mul(a31, a31)))), 16);
    }
  }
  for (; col < d; col++) {
    const wv = v128.load64_splat(w + (<usize>col << 3));
    for (let ii = 0; ii < b4; ii += 4) {
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
      for (let j = 0; j <= col; j++) {
        const p = xp + ((<usize>j * BS + ii) << 3);
        const u = f64x2.splat(load<f64>(precCholPtr + ((<usize>j * d + col) << 3)));
        a0 = f64x2.add(a0, f64x2.mul(v128.load(p), u));
        a1 = f64x2.add(a1, f64x2.mul(v128.load(p, 16), u));
      }
      a0 = f64x2.sub(a0, wv);
      a1 = f64x2.sub(a1, wv);
      const o = out + (<usize>ii << 3);
      v128.store(o, f64x2.add(v128.load(o), f64x2.mul(a0, a0)));
      v128.store(o, f64x2.add(v128.load(o, 16), f64x2.mul(a1, a1)), 16);
    }
  }
  for (let ii = 0; ii < b4; ii += 2) {
    const o = out + (<usize>ii << 3);
    v128.store(o, f64x2.add(cv, f64x2.mul(half, v128.load(o))));
  }
  // Scalar tail of the block.
  for (let ii = b4; ii < bs; ii++) {
    let s: f64 = 0;
    for (let col = 0; col < d; col++) {
      let y: f64 = 0;
      for (let j = 0; j <= col; j++) y += load<f64>(xp + ((<usize>j * BS + ii) << 3)) * load<f64>(precCholPtr + ((<usize>j * d + col) << 3));
      y -= load<f64>(w + (<usize>col << 3));
      s += y * y;
    }
    store<f64>(out + (<usize>ii << 3), c - 0.5 * s);
  }
}

/**
 * For every component c < k with responsibilities r_c = r[c·n …]: nk[c] += Σ_i r_ci; s1[c·d + j] += Σ_i r_ci x_j[i];
 * s2[c·d·d + a·d + b] += Σ_i r_ci x_a[i] x_b[i] (both triangles). Per block: the panel X[b] = x_b is copied once,
 * then per component R[a] = r_c·x_a; tiles of 2 rows × 4 columns with b ≥ a (8 accumulators) sum over the block
 * and add into component c's d×d lane-pair buffer; one horizontal pass at the end.
 * work: ≥ 2·d·BS + 2·k·d·d + 8 f64.
 */
export function gaussAccumulateFull(xPtr: usize, n: i32, d: i32, k: i32, rPtr: usize, nkPtr: usize, s1Ptr: usize, s2Ptr: usize, workPtr: usize): void {
  if (d <= 4) {
    gaussSmallAccumulate(d, xPtr, n, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr);
    return;
  }
  const rxPtr = workPtr;
  const xbPtr = rxPtr + ((<usize>d * BS) << 3);
  const accBase = xbPtr + ((<usize>d * BS) << 3); // k × d×d v128 lane sums (upper triangles used)
  const dd = <usize>d * d;
  const kdd = <usize>k * dd;
  for (let p: usize = 0; p < kdd; p++) v128.store(accBase + (p << 4), f64x2.splat(0));
  for (let i0 = 0; i0 < n; i0 += BS) {
    const bs = min(BS, n - i0);
    const bsE = (bs + 1) & ~1; // pad an odd block with one zero sample
    for (let j = 0; j < d; j++) {
      const src = xPtr + ((<usize>j * n + i0) << 3);
      const xd = xbPtr + ((<usize>j * BS) << 3);
      let ii = 0;
      for (; ii + 1 < bs; ii += 2) v128.store(xd + (<usize>ii << 3), v128.load(src + (<usize>ii << 3)));
      if (ii < bs) {
        store<f64>(xd + (<usize>ii << 3), load<f64>(src + (<usize>ii << 3)));
        store<f64>(xd + (<usize>(ii + 1) << 3), 0);
      }
    }
    for (let c = 0; c < k; c++) {
      const rsrc = rPtr + ((<usize>c * n + i0) << 3);
      let rs = f64x2.splat(0);
      let ii = 0;
      for (; ii + 1 < bs; ii += 2) rs = f64x2.add(rs, v128.load(rsrc + (<usize>ii << 3)));
      let rt = hsum(rs);
      if (ii < bs) rt += load<f64>(rsrc + (<usize>ii << 3));
      const nkc = nkPtr + (<usize>c << 3);
      store<f64>(nkc, load<f64>(nkc) + rt);
      weightedPanel(xbPtr, rsrc, bs, d, rxPtr, s1Ptr + ((<usize>c * d) << 3));
      accumulateTiles(rxPtr, xbPtr, accBase + ((<usize>c * dd) << 4), d, bsE);
    }
  }
  // Horizontal sums of the upper triangles, mirrored.
  for (let c = 0; c < k; c++) {
    const acc = accBase + ((<usize>c * dd) << 4);
    const s2 = s2Ptr + ((<usize>c * dd) << 3);
    for (let a = 0; a < d; a++) {
      for (let b = a; b < d; b++) {
        const v = hsum(v128.load(acc + ((<usize>a * d + b) << 4)));
        const pab = s2 + ((<usize>a * d + b) << 3);
        store<f64>(pab, load<f64>(pab) + v);
        if (b != a) {
          const pba = s2 + ((<usize>b * d + a) << 3);
          store<f64>(pba, load<f64>(pba) + v);
        }
      }
    }
  }
}

/** R[j] = r·X[j] over one block (zero-padded to even length), and s1[j] += Σ R[j]. */
// @ts-ignore: decorator
@inline function weightedPanel(xbPtr: usize, rsrc: usize, bs: i32, d: i32, rxPtr: usize, s1Ptr: usize): void {
  for (let j = 0; j < d; j++) {
    const xd = xbPtr + ((<usize>j * BS) << 3);
    const rd = rxPtr + ((<usize>j * BS) << 3);
    let ii = 0;
    let s = f64x2.splat(0);
    for (; ii + 1 < bs; ii += 2) {
      const rx = f64x2.mul(v128.load(rsrc + (<usize>ii << 3)), v128.load(xd + (<usize>ii << 3)));
      v128.store(rd + (<usize>ii << 3), rx);
      s = f64x2.add(s, rx);
    }
    let st = hsum(s);
    if (ii < bs) {
      const rx = load<f64>(rsrc + (<usize>ii << 3)) * load<f64>(xd + (<usize>ii << 3));
      store<f64>(rd + (<usize>ii << 3), rx);
      store<f64>(rd + (<usize>(ii + 1) << 3), 0);
      st += rx;
    }
    const q = s1Ptr + (<usize>j << 3);
    store<f64>(q, load<f64>(q) + st);
  }
}

/** acc[a·d + b] += Σ_ii R[a][ii]·X[b][ii] (lane pairs) for b ≥ a, over one block of bsE (even) samples. */
// @ts-ignore: decorator
@inline function accumulateTiles(rxPtr: usize, xbPtr: usize, accPtr: usize, d: i32, bsE: i32): void {
  // Tiles over (a, b), a in steps of 2, b in steps of 4 from the tile that holds the diagonal.
  let a = 0;
  for (; a + 1 < d; a += 2) {
    let b = a & ~3;
    for (; b + 3 < d; b += 4) {
      let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c02 = f64x2.splat(0), c03 = f64x2.splat(0);
      let c10 = f64x2.splat(0), c11 = f64x2.splat(0), c12 = f64x2.splat(0), c13 = f64x2.splat(0);
      // Rows a, a+1 of R and b…b+3 of X are BS apart: one running pointer each, constant offsets.
      let ra = rxPtr + ((<usize>a * BS) << 3);
      let xb = xbPtr + ((<usize>b * BS) << 3);
      const raEnd = ra + (<usize>bsE << 3);
      for (; ra < raEnd; ra += 16, xb += 16) {
        const r0 = v128.load(ra);
        const r1 = v128.load(ra, ROW);
        const y0 = v128.load(xb);
        const y1 = v128.load(xb, ROW);
        const y2 = v128.load(xb, 2 * ROW);
        const y3 = v128.load(xb, 3 * ROW);
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
