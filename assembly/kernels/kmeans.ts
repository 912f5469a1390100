// k-means kernels: Lloyd's step (nearest-centre assignment fused with the per-cluster sums) and the k-means++
// potential. Data X is in panels of four samples: panel p holds samples 4p … 4p+3, feature-major inside, so
// x_j[i] is at P[(⌊i/4⌋·d + j)·4 + i mod 4]; the last panel is padded to four samples with copies of the last
// sample (kmeansPanels writes this layout from feature-major data). A panel is 32·d contiguous bytes, so a Lloyd
// step reads X as one sequential stream, where feature-major data (x[j*n+i]) made it d streams n·8 bytes apart:
// KMeans per iteration × 0.74–0.80 at n = 10^5, d = 16, k = 8 against the feature-major kernel (bench/fit-ab.mjs).
//
// Assignment uses the expansion ‖x − c‖² = ‖x‖² + (‖c‖² − 2x·c), as scikit-learn does: the argmin needs only
// e_c = ‖c‖² + Σ_j x_j·(−2c_j), two flops per (sample, centre, feature) instead of three. Rounding: e_c is a sum of
// d + 1 rounded terms in a fixed order (‖c‖² first, then j = 0 … d−1), so |ê_c − e_c| ≤ β_c = γ_{2d+2}·(‖c‖² +
// 2Σ_j|x_j c_j|) (γ_m = m·u/(1 − m·u), u = 2⁻⁵³), and the chosen centre l satisfies ‖x − c_l‖² ≤ ‖x − c‖² + β_l + β_c
// for every c. The expansion cancels when ‖x‖, ‖c‖ ≫ ‖x − c‖ (data far from the origin): callers centre and scale
// the data first (src/parts/data.ts: |x_j| ≤ √2), which keeps β ≤ 3·(2d + 2)·d·u·max|x_j|² ≈ 4e-13 at d = 16, in
// squared units of the scale; scikit-learn's assignment (the same expansion through BLAS) behaves alike. The computed
// ê_c are compared in increasing c with a strict <, so equal values (duplicated centres) keep the lowest c; every
// operation is IEEE-exact in wasm (no fused multiply-add), so labels are the same on every platform. The distance to
// the chosen centre is then computed directly, Σ(x_j − c_j)² (even and odd j in two running sums, added, then the
// last j when d is odd), so minDist and the inertia carry no cancellation.

// Running minima of two pairs of samples (px, px+16; features `stride` bytes apart) over centres c0 … c0+3: e_c = ‖c‖² + Σ_j x_j·T[j*k4+c] with
// T = −2·Cᵀ, compared in increasing c against the minima at out[0..3] (f64 × 4) and the labels at out[4..5] (i32 × 4)
// with a strict < (pmin keeps the old value unless the new one is smaller), so ties keep the lowest c. Eight
// accumulators, one per (pair, centre).
// @ts-ignore: decorator
@inline
function dotBlock4(px: usize, stride: usize, d: i32, tPtr: usize, normsPtr: usize, k4: i32, c0: i32, out: usize): void {
  const tStride = <usize>k4 << 3;
  let pc = tPtr + (<usize>c0 << 3);
  const pn = normsPtr + (<usize>c0 << 3);
  let a0 = v128.load64_splat(pn);
  let a1 = v128.load64_splat(pn, 8);
  let a2 = v128.load64_splat(pn, 16);
  let a3 = v128.load64_splat(pn, 24);
  let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
  for (let j = 0; j < d; j++) {
    const xa = v128.load(px);
    const xb = v128.load(px, 16);
    let cv = v128.load64_splat(pc);
    a0 = f64x2.add(a0, f64x2.mul(xa, cv));
    b0 = f64x2.add(b0, f64x2.mul(xb, cv));
    cv = v128.load64_splat(pc, 8);
    a1 = f64x2.add(a1, f64x2.mul(xa, cv));
    b1 = f64x2.add(b1, f64x2.mul(xb, cv));
    cv = v128.load64_splat(pc, 16);
    a2 = f64x2.add(a2, f64x2.mul(xa, cv));
    b2 = f64x2.add(b2, f64x2.mul(xb, cv));
    cv = v128.load64_splat(pc, 24);
    a3 = f64x2.add(a3, f64x2.mul(xa, cv));
    b3 = f64x2.add(b3, f64x2.mul(xb, cv));
    px += stride;
    pc += tStride;
  }
  // Labels of the four samples as i32x4 [pair A, pair B]: centres come in increasing c, so a sample that improves
  // takes label c > its current one and max(labs, c & mask) selects without a bitselect.
  let bestA = v128.load(out);
  let bestB = v128.load(out, 16);
  let labs = v128.load(out, 32);
  let m = v128.shuffle<i32>(f64x2.lt(a0, bestA), f64x2.lt(b0, bestB), 0, 2, 4, 6);
  bestA = f64x2.pmin(bestA, a0);
  bestB = f64x2.pmin(bestB, b0);
  labs = i32x4.max_s(labs, v128.and(m, i32x4.splat(c0)));
  m = v128.shuffle<i32>(f64x2.lt(a1, bestA), f64x2.lt(b1, bestB), 0, 2, 4, 6);
  bestA = f64x2.pmin(bestA, a1);
  bestB = f64x2.pmin(bestB, b1);
  labs = i32x4.max_s(labs, v128.and(m, i32x4.splat(c0 + 1)));
  m = v128.shuffle<i32>(f64x2.lt(a2, bestA), f64x2.lt(b2, bestB), 0, 2, 4, 6);
  bestA = f64x2.pmin(bestA, a2);
  bestB = f64x2.pmin(bestB, b2);
  labs = i32x4.max_s(labs, v128.and(m, i32x4.splat(c0 + 2)));
  m = v128.shuffle<i32>(f64x2.lt(a3, bestA), f64x2.lt(b3, bestB), 0, 2, 4, 6);
  bestA = f64x2.pmin(bestA, a3);
  bestB = f64x2.pmin(bestB, b3);
  labs = i32x4.max_s(labs, v128.and(m, i32x4.splat(c0 + 3)));
  v128.store(out, bestA);
  v128.store(out, bestB, 16);
  v128.store(out, labs, 32);
}

// Labels of four samples (px … px+24, feature stride `stride`) as i32x4, by running dotBlock4 over all centres.
// @ts-ignore: decorator
@inline
function nearest4(px: usize, stride: usize, d: i32, tPtr: usize, normsPtr: usize, k4: i32, out: usize): v128 {
  v128.store(out, f64x2.splat(Infinity));
  v128.store(out, f64x2.splat(Infinity), 16);
  v128.store(out, i32x4.splat(0), 32);
  for (let c0 = 0; c0 < k4; c0 += 4) dotBlock4(px, stride, d, tPtr, normsPtr, k4, c0, out);
  return v128.load(out, 32);
}

// Sums modes: none (predict), unweighted, weighted.
const NO_SUMS = 0;
const SUMS = 1;
const WEIGHTED_SUMS = 2;

// Exact squared distances of a pair of samples (px = &x_0[i]) to their centres l0, l1 (rows of C), as [dist_i,
// dist_i+1]; in the sums modes also sums[l] += w·x, per row. The pair is transposed two features at a time, so
// centre rows and sums rows are read and written as contiguous f64x2.
// @ts-ignore: decorator
@inline
function pairExact(mode: i32, px: usize, stride: usize, d: i32, l0: i32, l1: i32, centersPtr: usize, w: v128, sumsPtr: usize): v128 {
  const rowBytes = <usize>d << 3;
  const c0 = centersPtr + <usize>l0 * rowBytes;
  const c1 = centersPtr + <usize>l1 * rowBytes;
  const s0 = sumsPtr + <usize>l0 * rowBytes;
  const s1 = sumsPtr + <usize>l1 * rowBytes;
  const w0 = v128.shuffle<f64>(w, w, 0, 0);
  const w1 = v128.shuffle<f64>(w, w, 1, 1);
  const stride2 = stride << 1;
  const end = <usize>(d & ~1) << 3;
  let e0 = f64x2.splat(0.0);
  let e1 = e0;
  for (let jb: usize = 0; jb < end; jb += 16) {
    const u = v128.load(px);
    const v = v128.load(px + stride);
    const r0 = v128.shuffle<f64>(u, v, 0, 2);
    const r1 = v128.shuffle<f64>(u, v, 1, 3);
    let t = f64x2.sub(r0, v128.load(c0 + jb));
    e0 = f64x2.add(e0, f64x2.mul(t, t));
    t = f64x2.sub(r1, v128.load(c1 + jb));
    e1 = f64x2.add(e1, f64x2.mul(t, t));
    if (mode == SUMS) {
      v128.store(s0 + jb, f64x2.add(v128.load(s0 + jb), r0));
      v128.store(s1 + jb, f64x2.add(v128.load(s1 + jb), r1));
    } else if (mode == WEIGHTED_SUMS) {
      v128.store(s0 + jb, f64x2.add(v128.load(s0 + jb), f64x2.mul(w0, r0)));
      v128.store(s1 + jb, f64x2.add(v128.load(s1 + jb), f64x2.mul(w1, r1)));
    }
    px += stride2;
  }
  // [e0 even + e0 odd, e1 even + e1 odd]
  let dist = f64x2.add(v128.shuffle<f64>(e0, e1, 0, 2), v128.shuffle<f64>(e0, e1, 1, 3));
  if (d & 1) {
    const xv = v128.load(px);
    const t = f64x2.sub(xv, v128.load64_lane(c1 + end, v128.load64_splat(c0 + end), 1));
    dist = f64x2.add(dist, f64x2.mul(t, t));
    if (mode != NO_SUMS) {
      const wx = mode == WEIGHTED_SUMS ? f64x2.mul(w, xv) : xv;
      store<f64>(s0 + end, load<f64>(s0 + end) + f64x2.extract_lane(wx, 0));
      store<f64>(s1 + end, load<f64>(s1 + end) + f64x2.extract_lane(wx, 1));
    }
  }
  return dist;
}

// pairExact for one sample, in the same order of operations (so a sample's result does not depend on its position).
// @ts-ignore: decorator
@inline
function singleExact(mode: i32, px: usize, stride: usize, d: i32, l: i32, centersPtr: usize, w: f64, sumsPtr: usize): f64 {
  const rowBytes = <usize>d << 3;
  const c = centersPtr + <usize>l * rowBytes;
  const s = sumsPtr + <usize>l * rowBytes;
  const end = <usize>(d & ~1) << 3;
  let even = 0.0;
  let odd = 0.0;
  for (let jb: usize = 0; jb < end; jb += 16) {
    const u = load<f64>(px);
    const v = load<f64>(px + stride);
    let t = u - load<f64>(c + jb);
    even += t * t;
    t = v - load<f64>(c + jb, 8);
    odd += t * t;
    if (mode == SUMS) {
      store<f64>(s + jb, load<f64>(s + jb) + u);
      store<f64>(s + jb, load<f64>(s + jb, 8) + v, 8);
    } else if (mode == WEIGHTED_SUMS) {
      store<f64>(s + jb, load<f64>(s + jb) + w * u);
      store<f64>(s + jb, load<f64>(s + jb, 8) + w * v, 8);
    }
    px += stride << 1;
  }
  let dist = even + odd;
  if (d & 1) {
    const u = load<f64>(px);
    const t = u - load<f64>(c + end);
    dist += t * t;
    if (mode == SUMS) store<f64>(s + end, load<f64>(s + end) + u);
    else if (mode == WEIGHTED_SUMS) store<f64>(s + end, load<f64>(s + end) + w * u);
  }
  return dist;
}

// The Lloyd step for one sums mode (see kmeansAssign); returns the inertia and writes the change count.
// @ts-ignore: decorator
@inline
function assignAll(mode: i32, xPtr: usize, n: i32, d: i32, centersPtr: usize, k: i32, labelsPtr: usize, minDistPtr: usize, swPtr: usize, sumsPtr: usize, countsPtr: usize, changedPtr: usize, workPtr: usize): f64 {
  const stride: usize = 32; // between features of a panel
  const panel = <usize>d << 5; // between panels
  const k4 = (k + 3) & ~3;
  const tPtr = workPtr;
  const normsPtr = tPtr + ((<usize>k4 * <usize>d) << 3);
  const scratch = normsPtr + (<usize>k4 << 3);
  // T[j*k4+c] = −2·C[c*d+j] (exact), ‖c‖² summed in j order; padding centres: T = 0, ‖c‖² = +∞ (never chosen).
  for (let c = 0; c < k4; c++) {
    let norm = 0.0;
    for (let j = 0; j < d; j++) {
      const v = c < k ? load<f64>(centersPtr + ((<usize>c * <usize>d + <usize>j) << 3)) : 0.0;
      norm += v * v;
      store<f64>(tPtr + ((<usize>j * <usize>k4 + <usize>c) << 3), -2.0 * v);
    }
    store<f64>(normsPtr + (<usize>c << 3), c < k ? norm : Infinity);
  }
  let inertia = f64x2.splat(0.0);
  let changed = 0;
  const one = f64x2.splat(1.0);
  const n4 = n & ~3;
  let px = xPtr;
  for (let i = 0; i < n4; i += 4, px += panel) {
    const labs = nearest4(px, stride, d, tPtr, normsPtr, k4, scratch);
    const pl = labelsPtr + (<usize>i << 2);
    changed += popcnt(i32x4.bitmask(i32x4.ne(labs, v128.load(pl))));
    v128.store(pl, labs);
    const l0 = i32x4.extract_lane(labs, 0);
    const l1 = i32x4.extract_lane(labs, 1);
    const l2 = i32x4.extract_lane(labs, 2);
    const l3 = i32x4.extract_lane(labs, 3);
    const wa = swPtr ? v128.load(swPtr + (<usize>i << 3)) : one;
    const wb = swPtr ? v128.load(swPtr + (<usize>i << 3), 16) : one;
    const da = pairExact(mode, px, stride, d, l0, l1, centersPtr, wa, sumsPtr);
    const db = pairExact(mode, px + 16, stride, d, l2, l3, centersPtr, wb, sumsPtr);
    if (minDistPtr) {
      v128.store(minDistPtr + (<usize>i << 3), da);
      v128.store(minDistPtr + (<usize>i << 3), db, 16);
    }
    if (mode != NO_SUMS) {
      const pc0 = countsPtr + (<usize>l0 << 3);
      store<f64>(pc0, load<f64>(pc0) + f64x2.extract_lane(wa, 0));
      const pc1 = countsPtr + (<usize>l1 << 3);
      store<f64>(pc1, load<f64>(pc1) + f64x2.extract_lane(wa, 1));
      const pc2 = countsPtr + (<usize>l2 << 3);
      store<f64>(pc2, load<f64>(pc2) + f64x2.extract_lane(wb, 0));
      const pc3 = countsPtr + (<usize>l3 << 3);
      store<f64>(pc3, load<f64>(pc3) + f64x2.extract_lane(wb, 1));
    }
    inertia = f64x2.add(inertia, swPtr ? f64x2.mul(wa, da) : da);
    inertia = f64x2.add(inertia, swPtr ? f64x2.mul(wb, db) : db);
  }
  let sum = f64x2.extract_lane(inertia, 0) + f64x2.extract_lane(inertia, 1);
  const rest = n - n4;
  if (rest > 0) {
    // The last 1–3 samples: their panel is padded, so nearest4 runs the body's arithmetic on it; only the real
    // samples are stored and summed.
    const labs = nearest4(px, stride, d, tPtr, normsPtr, k4, scratch);
    for (let s = 0; s < rest; s++) {
      const i = n4 + s;
      const lab = s == 0 ? i32x4.extract_lane(labs, 0) : s == 1 ? i32x4.extract_lane(labs, 1) : i32x4.extract_lane(labs, 2);
      const pl = labelsPtr + (<usize>i << 2);
      if (load<i32>(pl) != lab) changed++;
      store<i32>(pl, lab);
      const w = swPtr ? load<f64>(swPtr + (<usize>i << 3)) : 1.0;
      const dist = singleExact(mode, px + (<usize>s << 3), stride, d, lab, centersPtr, w, sumsPtr);
      if (minDistPtr) store<f64>(minDistPtr + (<usize>i << 3), dist);
      if (mode != NO_SUMS) store<f64>(countsPtr + (<usize>lab << 3), load<f64>(countsPtr + (<usize>lab << 3)) + w);
      sum += swPtr ? w * dist : dist;
    }
  }
  if (changedPtr) store<i32>(changedPtr, changed);
  return sum;
}

/**
 * One Lloyd E-step over n samples: labels[i] = argmin_c ‖x_i − C_c‖² by the expansion above (C k×d row-major; ties →
 * lowest c; a true argmin up to β); minDist[i] ← ‖x_i − C_labels[i]‖² computed directly, if minDistPtr ≠ 0; when
 * sumsPtr ≠ 0, sums[c*d+j] += Σ_{i: labels[i]=c} sw_i·x_j[i] and counts[c] += Σ_{i: labels[i]=c} sw_i (each cell in
 * increasing i); *changedPtr (i32, if ≠ 0) ← the number of labels that differ from labels' previous contents.
 * Returns Σ sw_i·minDist_i (sw = 1 when swPtr = 0). labels is an Int32 array, read then written. X in panels (see
 * the top of this file). work: ⌈k/4⌉·4·(d + 1) + 8 f64, 16-byte aligned.
 */
export function kmeansAssign(xPtr: usize, n: i32, d: i32, centersPtr: usize, k: i32, labelsPtr: usize, minDistPtr: usize, swPtr: usize, sumsPtr: usize, countsPtr: usize, changedPtr: usize, workPtr: usize): f64 {
  // A panel at a time: dotBlock4 (two pairs × four centres, eight accumulators, mul + add per feature) finds
  // the labels; pairExact then re-reads the panel (now in L1) for the direct distances and the sums, so X is
  // read from memory once per step. One copy of the loop per sums mode keeps the inner loops free of branches.
  // Measured against the previous kernel (direct distances to every centre, then a separate sums pass) at n = 1e5,
  // d = 16, k = 8: 2.7 ms against 3.8 ms; tracking labels as i32x4 with pmin/max instead of bitselects gave 14 %
  // of that, one loop over both pairs in the second pass was 6 % slower (register pressure).
  if (sumsPtr == 0) return assignAll(NO_SUMS, xPtr, n, d, centersPtr, k, labelsPtr, minDistPtr, swPtr, 0, 0, changedPtr, workPtr);
  if (swPtr == 0) return assignAll(SUMS, xPtr, n, d, centersPtr, k, labelsPtr, minDistPtr, 0, sumsPtr, countsPtr, changedPtr, workPtr);
  return assignAll(WEIGHTED_SUMS, xPtr, n, d, centersPtr, k, labelsPtr, minDistPtr, swPtr, sumsPtr, countsPtr, changedPtr, workPtr);
}

/**
 * Writes feature-major data x (x[j*n+i], n ≥ 1) into panels at out (⌈n/4⌉·4·d f64): the layout kmeansAssign and
 * kmeansPotential read, the last panel padded with copies of sample n − 1.
 */
export function kmeansPanels(xPtr: usize, n: i32, d: i32, outPtr: usize): void {
  const n4 = (n + 3) & ~3;
  const panel = <usize>d << 5;
  for (let j = 0; j < d; j++) {
    const row = xPtr + ((<usize>j * <usize>n) << 3);
    let po = outPtr + (<usize>j << 5);
    let i = 0;
    for (; i + 4 <= n; i += 4, po += panel) {
      v128.store(po, v128.load(row + (<usize>i << 3)));
      v128.store(po, v128.load(row + (<usize>i << 3), 16), 16);
    }
    for (let s = 0; i + s < n4; s++) store<f64>(po + (<usize>s << 3), load<f64>(row + (<usize>min(i + s, n - 1) << 3)));
  }
}

/** acc + (x − p)², one feature's term of a squared distance. */
// @ts-ignore: decorator
@inline function sqAdd(acc: v128, x: v128, p: v128): v128 {
  const t = f64x2.sub(x, p);
  return f64x2.add(acc, f64x2.mul(t, t));
}

/** out[i] = min(closest[i], ‖x_i − p‖²) (closestPtr = 0: no min), X in panels; returns Σ sw_i·out[i]. */
export function kmeansPotential(xPtr: usize, n: i32, d: i32, pointPtr: usize, closestPtr: usize, swPtr: usize, outPtr: usize): f64 {
  // Two panels (eight samples) at a time: four independent accumulation chains hide the add latency.
  const panel = <usize>d << 5;
  let total = f64x2.splat(0.0);
  const n8 = n & ~7;
  let i = 0;
  let px = xPtr;
  for (; i < n8; i += 8, px += panel << 1) {
    const o = <usize>i << 3;
    let a0 = f64x2.splat(0.0);
    let a1 = a0, a2 = a0, a3 = a0;
    let pa = px;
    let pb = px + panel;
    for (let j = 0; j < d; j++) {
      const pj = v128.load64_splat(pointPtr + (<usize>j << 3));
      a0 = sqAdd(a0, v128.load(pa), pj);
      a1 = sqAdd(a1, v128.load(pa, 16), pj);
      a2 = sqAdd(a2, v128.load(pb), pj);
      a3 = sqAdd(a3, v128.load(pb, 16), pj);
      pa += 32;
      pb += 32;
    }
    if (closestPtr) {
      const pc = closestPtr + o;
      a0 = f64x2.min(v128.load(pc), a0);
      a1 = f64x2.min(v128.load(pc, 16), a1);
      a2 = f64x2.min(v128.load(pc, 32), a2);
      a3 = f64x2.min(v128.load(pc, 48), a3);
    }
    const po = outPtr + o;
    v128.store(po, a0);
    v128.store(po, a1, 16);
    v128.store(po, a2, 32);
    v128.store(po, a3, 48);
    if (swPtr) {
      const pw = swPtr + o;
      a0 = f64x2.mul(v128.load(pw), a0);
      a1 = f64x2.mul(v128.load(pw, 16), a1);
      a2 = f64x2.mul(v128.load(pw, 32), a2);
      a3 = f64x2.mul(v128.load(pw, 48), a3);
    }
    total = f64x2.add(total, f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3)));
  }
  let sum = f64x2.extract_lane(total, 0) + f64x2.extract_lane(total, 1);
  // The last one or two panels (the last one padded): all four lanes computed, the real samples stored and summed.
  for (; i < n; i += 4, px += panel) {
    let a0 = f64x2.splat(0.0);
    let a1 = a0;
    let p = px;
    for (let j = 0; j < d; j++) {
      const pj = v128.load64_splat(pointPtr + (<usize>j << 3));
      a0 = sqAdd(a0, v128.load(p), pj);
      a1 = sqAdd(a1, v128.load(p, 16), pj);
      p += 32;
    }
    const m = min(4, n - i);
    for (let s = 0; s < m; s++) {
      let a = s == 0 ? f64x2.extract_lane(a0, 0) : s == 1 ? f64x2.extract_lane(a0, 1) : s == 2 ? f64x2.extract_lane(a1, 0) : f64x2.extract_lane(a1, 1);
      const o = <usize>(i + s) << 3;
      if (closestPtr) a = min(load<f64>(closestPtr + o), a);
      store<f64>(outPtr + o, a);
      sum += swPtr ? load<f64>(swPtr + o) * a : a;
    }
  }
  return sum;
}
