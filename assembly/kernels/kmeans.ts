// k-means kernels: nearest-centre assignment (Lloyd's E-step), per-cluster sums (M-step) and the k-means++ potential.
// Data X is feature-major (x[j*n+i]); lanes run over two samples. Squared distances are Σ_j (x_j − C_cj)² summed
// in order j = 0, 1, …, d−1 in every path, so vector body, scalar tail and a plain reference agree bit for bit (the
// ‖x‖² − 2x·c + ‖c‖² expansion would be faster but cancels catastrophically for points far from the origin).

// Squared distances from one pair of samples (px = &x_0[i]) to centres c0 … c0+7 (row-major C at cPtr), compared in
// increasing c against the running best (strict <, so ties keep the lowest c). Eight accumulators: one per centre.
// @ts-ignore: decorator
@inline
function pairBlock8(px: usize, stride: usize, d: i32, cPtr: usize, c0: i32, best: v128, lab: v128, out: usize): void {
  let a0 = f64x2.splat(0.0);
  let a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const rowBytes = <usize>d << 3;
  let pc = cPtr + <usize>c0 * rowBytes;
  for (let j = 0; j < d; j++) {
    const xv = v128.load(px);
    let t = f64x2.sub(xv, v128.load64_splat(pc));
    a0 = f64x2.add(a0, f64x2.mul(t, t));
    t = f64x2.sub(xv, v128.load64_splat(pc + rowBytes));
    a1 = f64x2.add(a1, f64x2.mul(t, t));
    t = f64x2.sub(xv, v128.load64_splat(pc + 2 * rowBytes));
    a2 = f64x2.add(a2, f64x2.mul(t, t));
    t = f64x2.sub(xv, v128.load64_splat(pc + 3 * rowBytes));
    a3 = f64x2.add(a3, f64x2.mul(t, t));
    t = f64x2.sub(xv, v128.load64_splat(pc + 4 * rowBytes));
    a4 = f64x2.add(a4, f64x2.mul(t, t));
    t = f64x2.sub(xv, v128.load64_splat(pc + 5 * rowBytes));
    a5 = f64x2.add(a5, f64x2.mul(t, t));
    t = f64x2.sub(xv, v128.load64_splat(pc + 6 * rowBytes));
    a6 = f64x2.add(a6, f64x2.mul(t, t));
    t = f64x2.sub(xv, v128.load64_splat(pc + 7 * rowBytes));
    a7 = f64x2.add(a7, f64x2.mul(t, t));
    px += stride;
    pc += 8;
  }
  let mk = f64x2.lt(a0, best);
  best = v128.bitselect(a0, best, mk);
  lab = v128.bitselect(i64x2.splat(c0), lab, mk);
  mk = f64x2.lt(a1, best);
  best = v128.bitselect(a1, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 1), lab, mk);
  mk = f64x2.lt(a2, best);
  best = v128.bitselect(a2, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 2), lab, mk);
  mk = f64x2.lt(a3, best);
  best = v128.bitselect(a3, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 3), lab, mk);
  mk = f64x2.lt(a4, best);
  best = v128.bitselect(a4, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 4), lab, mk);
  mk = f64x2.lt(a5, best);
  best = v128.bitselect(a5, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 5), lab, mk);
  mk = f64x2.lt(a6, best);
  best = v128.bitselect(a6, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 6), lab, mk);
  mk = f64x2.lt(a7, best);
  best = v128.bitselect(a7, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 7), lab, mk);
  v128.store(out, best);
  v128.store(out, lab, 16);
}

// As pairBlock8 for four centres.
// @ts-ignore: decorator
@inline
function pairBlock4(px: usize, stride: usize, d: i32, cPtr: usize, c0: i32, best: v128, lab: v128, out: usize): void {
  let a0 = f64x2.splat(0.0);
  let a1 = a0, a2 = a0, a3 = a0;
  const rowBytes = <usize>d << 3;
  let pc = cPtr + <usize>c0 * rowBytes;
  for (let j = 0; j < d; j++) {
    const xv = v128.load(px);
    let t = f64x2.sub(xv, v128.load64_splat(pc));
    a0 = f64x2.add(a0, f64x2.mul(t, t));
    t = f64x2.sub(xv, v128.load64_splat(pc + rowBytes));
    a1 = f64x2.add(a1, f64x2.mul(t, t));
    t = f64x2.sub(xv, v128.load64_splat(pc + 2 * rowBytes));
    a2 = f64x2.add(a2, f64x2.mul(t, t));
    t = f64x2.sub(xv, v128.load64_splat(pc + 3 * rowBytes));
    a3 = f64x2.add(a3, f64x2.mul(t, t));
    px += stride;
    pc += 8;
  }
  let mk = f64x2.lt(a0, best);
  best = v128.bitselect(a0, best, mk);
  lab = v128.bitselect(i64x2.splat(c0), lab, mk);
  mk = f64x2.lt(a1, best);
  best = v128.bitselect(a1, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 1), lab, mk);
  mk = f64x2.lt(a2, best);
  best = v128.bitselect(a2, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 2), lab, mk);
  mk = f64x2.lt(a3, best);
  best = v128.bitselect(a3, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 3), lab, mk);
  v128.store(out, best);
  v128.store(out, lab, 16);
}

/**
 * labels[i] = argmin_c ‖x_i − C_c‖² (C k×d row-major; ties → lowest c); minDist[i] ← that distance if minDistPtr ≠ 0;
 * returns Σ sw_i·minDist_i (sw = 1 when swPtr = 0). labels is an Int32 array.
 * work: 4 f64 (a 32-byte scratch for the running best distance and label of a pair); 16-byte aligned.
 */
export function kmeansAssign(xPtr: usize, n: i32, d: i32, centersPtr: usize, k: i32, labelsPtr: usize, minDistPtr: usize, swPtr: usize, workPtr: usize): f64 {
  // Centres in blocks of 8 (then 4, then singly) per pair of samples: each x_j pair is loaded once per block and
  // meets up to eight centres, which keeps the eight accumulators in registers and the inner loop compute-bound.
  const stride = <usize>n << 3;
  const rowBytes = <usize>d << 3;
  const k8 = k & ~7;
  const k4 = k & ~3;
  let inertia = f64x2.splat(0.0);
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const px = xPtr + (<usize>i << 3);
    let best = f64x2.splat(Infinity);
    let lab = i64x2.splat(0);
    let c = 0;
    for (; c < k8; c += 8) {
      pairBlock8(px, stride, d, centersPtr, c, best, lab, workPtr);
      best = v128.load(workPtr);
      lab = v128.load(workPtr, 16);
    }
    if (c < k4) {
      pairBlock4(px, stride, d, centersPtr, c, best, lab, workPtr);
      best = v128.load(workPtr);
      lab = v128.load(workPtr, 16);
      c += 4;
    }
    for (; c < k; c++) {
      let a = f64x2.splat(0.0);
      let p = px;
      let pc = centersPtr + <usize>c * rowBytes;
      for (let j = 0; j < d; j++) {
        const t = f64x2.sub(v128.load(p), v128.load64_splat(pc));
        a = f64x2.add(a, f64x2.mul(t, t));
        p += stride;
        pc += 8;
      }
      const mk = f64x2.lt(a, best);
      best = v128.bitselect(a, best, mk);
      lab = v128.bitselect(i64x2.splat(c), lab, mk);
    }
    const pl = labelsPtr + (<usize>i << 2);
    store<i32>(pl, <i32>i64x2.extract_lane(lab, 0));
    store<i32>(pl, <i32>i64x2.extract_lane(lab, 1), 4);
    if (minDistPtr) v128.store(minDistPtr + (<usize>i << 3), best);
    inertia = f64x2.add(inertia, swPtr ? f64x2.mul(v128.load(swPtr + (<usize>i << 3)), best) : best);
  }
  let sum = f64x2.extract_lane(inertia, 0) + f64x2.extract_lane(inertia, 1);
  if (n & 1) {
    const i = n2;
    let best = Infinity;
    let lab = 0;
    for (let c = 0; c < k; c++) {
      let a = 0.0;
      let p = xPtr + (<usize>i << 3);
      let pc = centersPtr + <usize>c * rowBytes;
      for (let j = 0; j < d; j++) {
        const t = load<f64>(p) - load<f64>(pc);
        a += t * t;
        p += stride;
        pc += 8;
      }
      if (a < best) {
        best = a;
        lab = c;
      }
    }
    store<i32>(labelsPtr + (<usize>i << 2), lab);
    if (minDistPtr) store<f64>(minDistPtr + (<usize>i << 3), best);
    sum += swPtr ? load<f64>(swPtr + (<usize>i << 3)) * best : best;
  }
  return sum;
}

/** sums[c*d+j] += Σ_{i: labels[i]=c} sw_i x_j[i]; counts[c] += Σ_{i: labels[i]=c} sw_i. */
export function kmeansCentreSums(xPtr: usize, n: i32, d: i32, labelsPtr: usize, swPtr: usize, k: i32, sumsPtr: usize, countsPtr: usize): void {
  // A scatter-add by label, feature by feature: each sums[c*d+j] accumulates its samples in increasing i.
  // Samples go in pairs so consecutive adds to the same cell interleave with the other lane's.
  const stride = <usize>n << 3;
  const rowBytes = <usize>d << 3;
  for (let i = 0; i < n; i++) {
    const c = <usize>load<i32>(labelsPtr + (<usize>i << 2));
    const pc = countsPtr + (c << 3);
    store<f64>(pc, load<f64>(pc) + (swPtr ? load<f64>(swPtr + (<usize>i << 3)) : 1.0));
  }
  let px = xPtr;
  let ps = sumsPtr;
  for (let j = 0; j < d; j++) {
    if (swPtr) {
      for (let i = 0; i < n; i++) {
        const c = <usize>load<i32>(labelsPtr + (<usize>i << 2));
        const p = ps + c * rowBytes;
        store<f64>(p, load<f64>(p) + load<f64>(swPtr + (<usize>i << 3)) * load<f64>(px + (<usize>i << 3)));
      }
    } else {
      for (let i = 0; i < n; i++) {
        const c = <usize>load<i32>(labelsPtr + (<usize>i << 2));
        const p = ps + c * rowBytes;
        store<f64>(p, load<f64>(p) + load<f64>(px + (<usize>i << 3)));
      }
    }
    px += stride;
    ps += 8;
  }
}

/** out[i] = min(closest[i], ‖x_i − p‖²) (closestPtr = 0: no min); returns Σ sw_i·out[i]. */
export function kmeansPotential(xPtr: usize, n: i32, d: i32, pointPtr: usize, closestPtr: usize, swPtr: usize, outPtr: usize): f64 {
  // Four pairs of samples at a time: four independent accumulation chains hide the add latency.
  const stride = <usize>n << 3;
  let total = f64x2.splat(0.0);
  const n8 = n & ~7;
  const n2 = n & ~1;
  let i = 0;
  for (; i < n8; i += 8) {
    const o = <usize>i << 3;
    let a0 = f64x2.splat(0.0);
    let a1 = a0, a2 = a0, a3 = a0;
    let px = xPtr + o;
    for (let j = 0; j < d; j++) {
      const pj = v128.load64_splat(pointPtr + (<usize>j << 3));
      let t = f64x2.sub(v128.load(px), pj);
      a0 = f64x2.add(a0, f64x2.mul(t, t));
      t = f64x2.sub(v128.load(px, 16), pj);
      a1 = f64x2.add(a1, f64x2.mul(t, t));
      t = f64x2.sub(v128.load(px, 32), pj);
      a2 = f64x2.add(a2, f64x2.mul(t, t));
      t = f64x2.sub(v128.load(px, 48), pj);
      a3 = f64x2.add(a3, f64x2.mul(t, t));
      px += stride;
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
  for (; i < n2; i += 2) {
    const o = <usize>i << 3;
    let a = f64x2.splat(0.0);
    let px = xPtr + o;
    for (let j = 0; j < d; j++) {
      const t = f64x2.sub(v128.load(px), v128.load64_splat(pointPtr + (<usize>j << 3)));
      a = f64x2.add(a, f64x2.mul(t, t));
      px += stride;
    }
    if (closestPtr) a = f64x2.min(v128.load(closestPtr + o), a);
    v128.store(outPtr + o, a);
    if (swPtr) a = f64x2.mul(v128.load(swPtr + o), a);
    total = f64x2.add(total, a);
  }
  let sum = f64x2.extract_lane(total, 0) + f64x2.extract_lane(total, 1);
  if (n & 1) {
    const o = <usize>n2 << 3;
    let a = 0.0;
    let px = xPtr + o;
    for (let j = 0; j < d; j++) {
      const t = load<f64>(px) - load<f64>(pointPtr + (<usize>j << 3));
      a += t * t;
      px += stride;
    }
    if (closestPtr) a = min(load<f64>(closestPtr + o), a);
    store<f64>(outPtr + o, a);
    sum += swPtr ? load<f64>(swPtr + o) * a : a;
  }
  return sum;
}
