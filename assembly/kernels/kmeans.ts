// k-means kernels: nearest-centre assignment (Lloyd's E-step), per-cluster sums (M-step) and the k-means++ potential.
// Data X is feature-major (x[j*n+i]); lanes run over two samples. Squared distances are Σ_j (x_j − C_cj)² summed
// in order j = 0, 1, …, d−1 in every path, so vector body, scalar tail and a plain reference agree bit for bit (the
// ‖x‖² − 2x·c + ‖c‖² expansion would be faster but cancels catastrophically for points far from the origin).

// Squared distances from two pairs of samples (px, px+16) to centres c0 … c0+3 (T[j*k+c], the centres transposed),
// compared in increasing c against each pair's running (best, lab) at out[0..3] and out[4..7] (strict <, so ties keep
// the lowest c). Eight accumulators, one per (pair, centre).
// @ts-ignore: decorator
@inline
function quadBlock4(px: usize, stride: usize, d: i32, tPtr: usize, k: i32, c0: i32, out: usize): void {
  let a0 = f64x2.splat(0.0);
  let a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  const tStride = <usize>k << 3;
  let pc = tPtr + (<usize>c0 << 3);
  for (let j = 0; j < d; j++) {
    const xa = v128.load(px);
    const xb = v128.load(px, 16);
    let cv = v128.load64_splat(pc);
    let t = f64x2.sub(xa, cv);
    a0 = f64x2.add(a0, f64x2.mul(t, t));
    t = f64x2.sub(xb, cv);
    b0 = f64x2.add(b0, f64x2.mul(t, t));
    cv = v128.load64_splat(pc, 8);
    t = f64x2.sub(xa, cv);
    a1 = f64x2.add(a1, f64x2.mul(t, t));
    t = f64x2.sub(xb, cv);
    b1 = f64x2.add(b1, f64x2.mul(t, t));
    cv = v128.load64_splat(pc, 16);
    t = f64x2.sub(xa, cv);
    a2 = f64x2.add(a2, f64x2.mul(t, t));
    t = f64x2.sub(xb, cv);
    b2 = f64x2.add(b2, f64x2.mul(t, t));
    cv = v128.load64_splat(pc, 24);
    t = f64x2.sub(xa, cv);
    a3 = f64x2.add(a3, f64x2.mul(t, t));
    t = f64x2.sub(xb, cv);
    b3 = f64x2.add(b3, f64x2.mul(t, t));
    px += stride;
    pc += tStride;
  }
  let best = v128.load(out);
  let lab = v128.load(out, 16);
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
  best = v128.load(out, 32);
  lab = v128.load(out, 48);
  mk = f64x2.lt(b0, best);
  best = v128.bitselect(b0, best, mk);
  lab = v128.bitselect(i64x2.splat(c0), lab, mk);
  mk = f64x2.lt(b1, best);
  best = v128.bitselect(b1, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 1), lab, mk);
  mk = f64x2.lt(b2, best);
  best = v128.bitselect(b2, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 2), lab, mk);
  mk = f64x2.lt(b3, best);
  best = v128.bitselect(b3, best, mk);
  lab = v128.bitselect(i64x2.splat(c0 + 3), lab, mk);
  v128.store(out, best, 32);
  v128.store(out, lab, 48);
}

// Squared distance from one pair of samples (px = &x_0[i]) to one centre (row-major at pc), folded into (best, lab)
// at out: out[0..1] best distances, out[2..3] labels (as i64).
// @ts-ignore: decorator
@inline
function pairCentre(px: usize, stride: usize, d: i32, pc: usize, c: i32, out: usize): void {
  let a = f64x2.splat(0.0);
  for (let j = 0; j < d; j++) {
    const t = f64x2.sub(v128.load(px), v128.load64_splat(pc));
    a = f64x2.add(a, f64x2.mul(t, t));
    px += stride;
    pc += 8;
  }
  const best = v128.load(out);
  const mk = f64x2.lt(a, best);
  v128.store(out, v128.bitselect(a, best, mk));
  v128.store(out, v128.bitselect(i64x2.splat(c), v128.load(out, 16), mk), 16);
}

// Stores a pair's labels and distance from (best, lab) at out; returns its weighted distance.
// @ts-ignore: decorator
@inline
function pairFinish(i: i32, out: usize, labelsPtr: usize, minDistPtr: usize, swPtr: usize): v128 {
  const best = v128.load(out);
  const lab = v128.load(out, 16);
  const pl = labelsPtr + (<usize>i << 2);
  store<i32>(pl, <i32>i64x2.extract_lane(lab, 0));
  store<i32>(pl, <i32>i64x2.extract_lane(lab, 1), 4);
  if (minDistPtr) v128.store(minDistPtr + (<usize>i << 3), best);
  return swPtr ? f64x2.mul(v128.load(swPtr + (<usize>i << 3)), best) : best;
}

/**
 * labels[i] = argmin_c ‖x_i − C_c‖² (C k×d row-major; ties → lowest c); minDist[i] ← that distance if minDistPtr ≠ 0;
 * returns Σ sw_i·minDist_i (sw = 1 when swPtr = 0). labels is an Int32 array.
 * work: k·d + 10 f64 (the centres transposed, then a 64-byte scratch for the running minima); 16-byte aligned.
 */
export function kmeansAssign(xPtr: usize, n: i32, d: i32, centersPtr: usize, k: i32, labelsPtr: usize, minDistPtr: usize, swPtr: usize, workPtr: usize): f64 {
  // Four samples (two pairs) against four centres at a time: per feature, two x loads and four centre loads feed
  // eight accumulators, which measured 1.7× faster than one pair against eight centres (the loads, not the
  // arithmetic, were the limit there). Centres beyond a multiple of 4 go singly; a last pair and a last sample
  // go through the same sums one centre at a time.
  const stride = <usize>n << 3;
  const rowBytes = <usize>d << 3;
  const k4 = k & ~3;
  const tPtr = workPtr;
  const scratch = workPtr + ((<usize>(k * d + 1) & ~1) << 3);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      store<f64>(tPtr + ((<usize>j * <usize>k + <usize>c) << 3), load<f64>(centersPtr + ((<usize>c * <usize>d + <usize>j) << 3)));
    }
  }
  const inf = f64x2.splat(Infinity);
  const zero = i64x2.splat(0);
  let inertia = f64x2.splat(0.0);
  const n2 = n & ~1;
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const px = xPtr + (<usize>i << 3);
    v128.store(scratch, inf);
    v128.store(scratch, zero, 16);
    v128.store(scratch, inf, 32);
    v128.store(scratch, zero, 48);
    let c = 0;
    for (; c < k4; c += 4) quadBlock4(px, stride, d, tPtr, k, c, scratch);
    for (; c < k; c++) {
      const pc = centersPtr + <usize>c * rowBytes;
      pairCentre(px, stride, d, pc, c, scratch);
      pairCentre(px + 16, stride, d, pc, c, scratch + 32);
    }
    inertia = f64x2.add(inertia, pairFinish(i, scratch, labelsPtr, minDistPtr, swPtr));
    inertia = f64x2.add(inertia, pairFinish(i + 2, scratch + 32, labelsPtr, minDistPtr, swPtr));
  }
  if (i < n2) {
    const px = xPtr + (<usize>i << 3);
    v128.store(scratch, inf);
    v128.store(scratch, zero, 16);
    for (let c = 0; c < k; c++) pairCentre(px, stride, d, centersPtr + <usize>c * rowBytes, c, scratch);
    inertia = f64x2.add(inertia, pairFinish(i, scratch, labelsPtr, minDistPtr, swPtr));
  }
  let sum = f64x2.extract_lane(inertia, 0) + f64x2.extract_lane(inertia, 1);
  if (n & 1) {
    let best = Infinity;
    let lab = 0;
    for (let c = 0; c < k; c++) {
      let a = 0.0;
      let p = xPtr + (<usize>n2 << 3);
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
    store<i32>(labelsPtr + (<usize>n2 << 2), lab);
    if (minDistPtr) store<f64>(minDistPtr + (<usize>n2 << 3), best);
    sum += swPtr ? load<f64>(swPtr + (<usize>n2 << 3)) * best : best;
  }
  return sum;
}

/** sums[c*d+j] += Σ_{i: labels[i]=c} sw_i x_j[i]; counts[c] += Σ_{i: labels[i]=c} sw_i. */
export function kmeansCentreSums(xPtr: usize, n: i32, d: i32, labelsPtr: usize, swPtr: usize, k: i32, sumsPtr: usize, countsPtr: usize): void {
  // A scatter-add by label, sample by sample, two samples per x load: every sums[c*d+j] still receives its samples
  // in increasing i. Sample-major order reads each label once and keeps the d adds of a sample independent.
  const stride = <usize>n << 3;
  const rowBytes = <usize>d << 3;
  const n2 = n & ~1;
  for (let i = 0; i < n2; i += 2) {
    const c0 = <usize>load<i32>(labelsPtr + (<usize>i << 2));
    const c1 = <usize>load<i32>(labelsPtr + (<usize>i << 2), 4);
    const r0 = sumsPtr + c0 * rowBytes;
    const r1 = sumsPtr + c1 * rowBytes;
    let px = xPtr + (<usize>i << 3);
    if (swPtr) {
      const w = v128.load(swPtr + (<usize>i << 3));
      for (let j: usize = 0; j < <usize>d << 3; j += 8) {
        const v = f64x2.mul(w, v128.load(px));
        store<f64>(r0 + j, load<f64>(r0 + j) + f64x2.extract_lane(v, 0));
        store<f64>(r1 + j, load<f64>(r1 + j) + f64x2.extract_lane(v, 1));
        px += stride;
      }
      store<f64>(countsPtr + (c0 << 3), load<f64>(countsPtr + (c0 << 3)) + f64x2.extract_lane(w, 0));
      store<f64>(countsPtr + (c1 << 3), load<f64>(countsPtr + (c1 << 3)) + f64x2.extract_lane(w, 1));
    } else {
      for (let j: usize = 0; j < <usize>d << 3; j += 8) {
        const v = v128.load(px);
        store<f64>(r0 + j, load<f64>(r0 + j) + f64x2.extract_lane(v, 0));
        store<f64>(r1 + j, load<f64>(r1 + j) + f64x2.extract_lane(v, 1));
        px += stride;
      }
      store<f64>(countsPtr + (c0 << 3), load<f64>(countsPtr + (c0 << 3)) + 1.0);
      store<f64>(countsPtr + (c1 << 3), load<f64>(countsPtr + (c1 << 3)) + 1.0);
    }
  }
  if (n & 1) {
    const c = <usize>load<i32>(labelsPtr + (<usize>n2 << 2));
    const r = sumsPtr + c * rowBytes;
    const w = swPtr ? load<f64>(swPtr + (<usize>n2 << 3)) : 1.0;
    let px = xPtr + (<usize>n2 << 3);
    for (let j: usize = 0; j < <usize>d << 3; j += 8) {
      store<f64>(r + j, load<f64>(r + j) + w * load<f64>(px));
      px += stride;
    }
    store<f64>(countsPtr + (c << 3), load<f64>(countsPtr + (c << 3)) + w);
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
