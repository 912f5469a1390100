// Hidden Markov chain recursions for one sequence: scaled forward–backward (likelihood, posteriors, expected
// transition counts) and log-space Viterbi. Lanes run over states; state vectors are padded to an even length kp
// with zeros (forward–backward) or −∞ (Viterbi), so every loop is a whole number of f64x2 and needs no scalar tail.
import { expF64, expF64x2, logF64, logF64x2 } from '../simd/math';

// A step whose scale c_τ falls below this is redone with the shift taken over the reachable states only (below).
const SCALE_FLOOR: f64 = 1e-200;
// Time steps per block of the emission prepass (even).
const BLOCK = 256;

/** k rounded up to even: the padded length of every state vector in work. */
// @ts-ignore: decorator
@inline function padded(k: i32): i32 {
  return (k + 1) & ~1;
}

/**
 * Forward–backward for one sequence; returns log p(x_0 … x_{t−1}), or −∞ if the sequence is impossible.
 * logB is k×t component-major (logB[s*t+τ] = log p(x_τ | s)); start (k) and trans (k×k row-major, trans[i*k+j] =
 * P(j | i)) are probabilities, zeros allowed. When gammaPtr ≠ 0 writes the posteriors γ_τ(s) to gamma[s*t+τ];
 * when xiPtr ≠ 0 adds Σ_{τ<t−1} ξ_τ(i, j) to xi[i*k+j]. An impossible sequence writes γ = 0 and adds nothing.
 * With gammaPtr = xiPtr = 0 only the forward pass runs. A step whose best-fitting state is (nearly) unreachable is
 * shifted by the best reachable state instead, so the likelihood stays finite where plain scaling would underflow.
 * work: 2·t·kp + t + 3·kp² + 4·kp f64 (kp = k rounded up to even), 16-byte aligned.
 */
export function hmmForwardBackward(
  logBPtr: usize, t: i32, k: i32, startPtr: usize, transPtr: usize, gammaPtr: usize, xiPtr: usize, workPtr: usize,
): f64 {
  // Rabiner's scaling (Bishop 13.59–13.65) on B̃_τ(s) = exp(logB[s][τ] − m_τ), m_τ = max_s logB[s][τ]:
  //   α̂_τ = B̃_τ ⊙ (α̂_{τ−1}·A) / c_τ with c_τ making Σ α̂_τ = 1, so log L = Σ_τ (m_τ + log c_τ);
  //   β̂_{t−1} = 1, β̂_τ = A·w_{τ+1} with w_{τ+1} = B̃_{τ+1} ⊙ β̂_{τ+1} / c_{τ+1};
  //   γ_τ = α̂_τ ⊙ β̂_τ, ξ_τ(i, j) = α̂_τ(i)·A(i, j)·w_{τ+1}(j).
  // Σ_τ ξ_τ(i, j) = A(i, j)·S(i, j) with S = Σ_τ α̂_τ ⊗ w_{τ+1}, so only the k×k matrix S is accumulated.
  const kp = padded(k);
  const row = <usize>kp << 3; // bytes per padded state vector
  const aPtr = workPtr; // A, kp×kp row-major, zero padding
  const atPtr = aPtr + row * <usize>kp; // Aᵀ, kp×kp
  const sPtr = atPtr + row * <usize>kp; // S, kp×kp
  const wPtr = sPtr + row * <usize>kp;
  let betaPtr = wPtr + row;
  let betaNextPtr = betaPtr + row;
  const pPtr = betaNextPtr + row; // α̂_{τ−1}·A
  const bPtr = pPtr + row; // B̃, t×kp time-major
  const alphaPtr = bPtr + row * <usize>t; // α̂, t×kp time-major
  const cPtr = alphaPtr + row * <usize>t; // m_τ after the prepass, then c_τ

  for (let i = 0; i < kp; i++) {
    for (let j = 0; j < kp; j++) {
      const a = i < k && j < k ? load<f64>(transPtr + ((<usize>(i * k + j)) << 3)) : 0.0;
      store<f64>(aPtr + (<usize>(i * kp + j) << 3), a);
      store<f64>(atPtr + (<usize>(j * kp + i) << 3), a);
    }
    store<f64>(pPtr + (<usize>i << 3), i < k ? load<f64>(startPtr + (<usize>i << 3)) : 0.0);
  }

  shiftedEmissions(logBPtr, t, k, bPtr, cPtr);

  // Forward pass.
  let mSum = 0.0;
  let impossible = false;
  let prevPtr: usize = 0;
  for (let tau = 0; tau < t; tau++) {
    const btPtr = bPtr + row * <usize>tau;
    const atauPtr = alphaPtr + row * <usize>tau;
    if (tau > 0) matVecRows(prevPtr, aPtr, pPtr, k, kp);
    let cv = f64x2.splat(0.0);
    for (let j = 0; j < kp; j += 2) {
      const off = <usize>j << 3;
      const q = f64x2.mul(v128.load(pPtr + off), v128.load(btPtr + off));
      v128.store(atauPtr + off, q);
      cv = f64x2.add(cv, q);
    }
    let c = f64x2.extract_lane(cv, 0) + f64x2.extract_lane(cv, 1);
    let m = load<f64>(cPtr + (<usize>tau << 3));
    if (!(c >= SCALE_FLOOR)) {
      // The best-fitting state is (nearly) unreachable: shift by the best reachable one, so c_τ ≥ max p_j there.
      // B̃ only grows, and unreachable states (p_j = 0) get B̃ = 0, which changes no posterior.
      m = -Infinity;
      for (let j = 0; j < k; j++) {
        const l = load<f64>(logBPtr + (<usize>(j * t + tau) << 3));
        if (load<f64>(pPtr + (<usize>j << 3)) > 0.0 && l > m) m = l;
      }
      c = 0.0;
      if (m > -Infinity) {
        for (let j = 0; j < k; j++) {
          const p = load<f64>(pPtr + (<usize>j << 3));
          const b = p > 0.0 ? expF64(load<f64>(logBPtr + (<usize>(j * t + tau) << 3)) - m) : 0.0;
          store<f64>(btPtr + (<usize>j << 3), b);
          store<f64>(atauPtr + (<usize>j << 3), p * b);
          c += p * b;
        }
      }
      if (!(c > 0.0)) {
        impossible = true;
        break;
      }
    }
    mSum += m;
    store<f64>(cPtr + (<usize>tau << 3), c);
    const inv = f64x2.splat(1.0 / c);
    for (let j = 0; j < kp; j += 2) {
      const off = <usize>j << 3;
      v128.store(atauPtr + off, f64x2.mul(v128.load(atauPtr + off), inv));
    }
    prevPtr = atauPtr;
  }

  if (impossible) {
    if (gammaPtr) memory.fill(gammaPtr, 0, (<usize>t * <usize>k) << 3);
    return -Infinity;
  }
  const logLik = mSum + sumLogs(cPtr, t);
  if (gammaPtr == 0 && xiPtr == 0) return logLik;

  // Backward pass.
  const one = f64x2.splat(1.0);
  for (let j = 0; j < kp; j += 2) v128.store(betaPtr + (<usize>j << 3), one);
  if (xiPtr) memory.fill(sPtr, 0, row * <usize>kp);
  const tStride = <usize>t << 3;
  const last = alphaPtr + row * <usize>(t - 1);
  if (gammaPtr) {
    const gLast = gammaPtr + (<usize>(t - 1) << 3);
    for (let s = 0; s < k; s++) store<f64>(gLast + tStride * <usize>s, load<f64>(last + (<usize>s << 3)));
  }
  for (let tau = t - 2; tau >= 0; tau--) {
    const nextB = bPtr + row * <usize>(tau + 1);
    const inv = f64x2.splat(1.0 / load<f64>(cPtr + (<usize>(tau + 1) << 3)));
    for (let j = 0; j < kp; j += 2) {
      const off = <usize>j << 3;
      v128.store(wPtr + off, f64x2.mul(f64x2.mul(v128.load(nextB + off), v128.load(betaPtr + off)), inv));
    }
    matVecRows(wPtr, atPtr, betaNextPtr, k, kp); // β̂_τ(i) = Σ_j Aᵀ(j, i)·w(j)
    const tmp = betaPtr;
    betaPtr = betaNextPtr;
    betaNextPtr = tmp;
    const atauPtr = alphaPtr + row * <usize>tau;
    if (gammaPtr) {
      const gPtr = gammaPtr + (<usize>tau << 3);
      let s = 0;
      for (; s < k - 1; s += 2) {
        const g = f64x2.mul(v128.load(atauPtr + (<usize>s << 3)), v128.load(betaPtr + (<usize>s << 3)));
        store<f64>(gPtr + tStride * <usize>s, f64x2.extract_lane(g, 0));
        store<f64>(gPtr + tStride * <usize>(s + 1), f64x2.extract_lane(g, 1));
      }
      if (s < k) {
        const off = <usize>s << 3;
        store<f64>(gPtr + tStride * <usize>s, load<f64>(atauPtr + off) * load<f64>(betaPtr + off));
      }
    }
    if (xiPtr) {
      for (let i = 0; i < k; i++) {
        const a = v128.load64_splat(atauPtr + (<usize>i << 3));
        const sRow = sPtr + row * <usize>i;
        for (let j = 0; j < kp; j += 2) {
          const off = <usize>j << 3;
          v128.store(sRow + off, f64x2.add(v128.load(sRow + off), f64x2.mul(a, v128.load(wPtr + off))));
        }
      }
    }
  }
  if (xiPtr) {
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const x = xiPtr + (<usize>(i * k + j) << 3);
        const off = <usize>(i * kp + j) << 3;
        store<f64>(x, load<f64>(x) + load<f64>(aPtr + off) * load<f64>(sPtr + off));
      }
    }
  }
  return logLik;
}

/**
 * Most probable state path (Viterbi) in log space; writes it to states (Int32, length t) and returns its log
 * probability (−∞ if every path is impossible; the path is then all zeros). logStart (k) and logTrans
 * (k×k row-major) are logs, −∞ allowed. Ties go to the lowest state index.
 * work: kp² + 2·kp + ⌈t·kp/2⌉ f64 (kp = k rounded up to even), 16-byte aligned.
 */
export function hmmViterbi(
  logBPtr: usize, t: i32, k: i32, logStartPtr: usize, logTransPtr: usize, statesPtr: usize, workPtr: usize,
): f64 {
  // δ_τ(j) = max_i (δ_{τ−1}(i) + log A(i, j)) + log B_τ(j), ψ_τ(j) = the first maximising i.
  const kp = padded(k);
  const row = <usize>kp << 3;
  const aPtr = workPtr; // log A, kp×kp, −∞ padding
  let deltaPtr = aPtr + row * <usize>kp;
  let deltaNextPtr = deltaPtr + row;
  const psiPtr = deltaNextPtr + row; // ψ, t×kp i32 (row 0 unused)
  const tStride = <usize>t << 3;

  for (let i = 0; i < kp; i++) {
    for (let j = 0; j < kp; j++) {
      const a = i < k && j < k ? load<f64>(logTransPtr + ((<usize>(i * k + j)) << 3)) : -Infinity;
      store<f64>(aPtr + (<usize>(i * kp + j) << 3), a);
    }
    const d = i < k ? load<f64>(logStartPtr + (<usize>i << 3)) + load<f64>(logBPtr + tStride * <usize>i) : -Infinity;
    store<f64>(deltaPtr + (<usize>i << 3), d);
  }

  for (let tau = 1; tau < t; tau++) {
    const bCol = logBPtr + (<usize>tau << 3);
    const psiRow = psiPtr + (<usize>(tau * kp) << 2);
    for (let j = 0; j < kp; j += 2) {
      const off = <usize>j << 3;
      let best = f64x2.add(v128.load64_splat(deltaPtr), v128.load(aPtr + off));
      let arg = i64x2.splat(0);
      for (let i = 1; i < k; i++) {
        const cand = f64x2.add(v128.load64_splat(deltaPtr + (<usize>i << 3)), v128.load(aPtr + row * <usize>i + off));
        const better = f64x2.gt(cand, best);
        best = v128.bitselect(cand, best, better);
        arg = v128.bitselect(i64x2.splat(i), arg, better);
      }
      const lb1 = j + 1 < k ? load<f64>(bCol + tStride * <usize>(j + 1)) : -Infinity;
      const lb = f64x2.replace_lane(f64x2.splat(load<f64>(bCol + tStride * <usize>j)), 1, lb1);
      v128.store(deltaNextPtr + off, f64x2.add(best, lb));
      store<i32>(psiRow + (<usize>j << 2), <i32>i64x2.extract_lane(arg, 0));
      store<i32>(psiRow + (<usize>(j + 1) << 2), <i32>i64x2.extract_lane(arg, 1));
    }
    const tmp = deltaPtr;
    deltaPtr = deltaNextPtr;
    deltaNextPtr = tmp;
  }

  let bestState = 0;
  let bestLog = load<f64>(deltaPtr);
  for (let j = 1; j < k; j++) {
    const d = load<f64>(deltaPtr + (<usize>j << 3));
    if (d > bestLog) {
      bestLog = d;
      bestState = j;
    }
  }
  let s = bestState;
  store<i32>(statesPtr + (<usize>(t - 1) << 2), s);
  for (let tau = t - 1; tau > 0; tau--) {
    s = load<i32>(psiPtr + (<usize>(tau * kp + s) << 2));
    store<i32>(statesPtr + (<usize>(tau - 1) << 2), s);
  }
  return bestLog;
}

/**
 * out[j] = Σ_{i<k} x[i]·M[i*kp + j] for all kp columns: lanes over j, four column pairs per pass over i (then three,
 * two or one), so that independent accumulators hide the add latency.
 */
// @ts-ignore: decorator
@inline function matVecRows(xPtr: usize, mPtr: usize, outPtr: usize, k: i32, kp: i32): void {
  const row = <usize>kp << 3;
  let j = 0;
  for (; j + 8 <= kp; j += 8) {
    let a0 = f64x2.splat(0.0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    let m = mPtr + (<usize>j << 3);
    for (let i = 0; i < k; i++) {
      const x = v128.load64_splat(xPtr + (<usize>i << 3));
      a0 = f64x2.add(a0, f64x2.mul(x, v128.load(m)));
      a1 = f64x2.add(a1, f64x2.mul(x, v128.load(m, 16)));
      a2 = f64x2.add(a2, f64x2.mul(x, v128.load(m, 32)));
      a3 = f64x2.add(a3, f64x2.mul(x, v128.load(m, 48)));
      m += row;
    }
    const o = outPtr + (<usize>j << 3);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
  }
  const rest = kp - j;
  if (rest == 0) return;
  let a0 = f64x2.splat(0.0);
  let a1 = a0;
  let a2 = a0;
  let m = mPtr + (<usize>j << 3);
  const o = outPtr + (<usize>j << 3);
  if (rest == 6) {
    for (let i = 0; i < k; i++) {
      const x = v128.load64_splat(xPtr + (<usize>i << 3));
      a0 = f64x2.add(a0, f64x2.mul(x, v128.load(m)));
      a1 = f64x2.add(a1, f64x2.mul(x, v128.load(m, 16)));
      a2 = f64x2.add(a2, f64x2.mul(x, v128.load(m, 32)));
      m += row;
    }
    v128.store(o, a2, 32);
  } else if (rest == 4) {
    for (let i = 0; i < k; i++) {
      const x = v128.load64_splat(xPtr + (<usize>i << 3));
      a0 = f64x2.add(a0, f64x2.mul(x, v128.load(m)));
      a1 = f64x2.add(a1, f64x2.mul(x, v128.load(m, 16)));
      m += row;
    }
  } else {
    for (let i = 0; i < k; i++) {
      a0 = f64x2.add(a0, f64x2.mul(v128.load64_splat(xPtr + (<usize>i << 3)), v128.load(m)));
      m += row;
    }
    v128.store(o, a0);
    return;
  }
  v128.store(o, a0);
  v128.store(o, a1, 16);
}

/**
 * Prepass over time, two steps per lane: m_τ = max_s logB[s][τ] (0 when all are −∞) into m[τ], and
 * B̃_τ(s) = exp(logB[s][τ] − m_τ) transposed into b[τ*kp + s], padding lane 0. Blocks of BLOCK steps, states
 * outermost within a block, so that every inner loop reads logB contiguously.
 */
function shiftedEmissions(logBPtr: usize, t: i32, k: i32, bPtr: usize, mPtr: usize): void {
  const kp = padded(k);
  const row = <usize>kp << 3;
  const tStride = <usize>t << 3;
  const zero = f64x2.splat(0.0);
  const negInf = f64x2.splat(-Infinity);
  const t2 = t & ~1;
  for (let t0 = 0; t0 < t2; t0 += BLOCK) {
    const t1 = min(t0 + BLOCK, t2);
    for (let tau = t0; tau < t1; tau += 2) v128.store(mPtr + (<usize>tau << 3), negInf);
    for (let s = 0; s < k; s++) {
      const col = logBPtr + tStride * <usize>s;
      for (let tau = t0; tau < t1; tau += 2) {
        const off = <usize>tau << 3;
        v128.store(mPtr + off, f64x2.pmax(v128.load(mPtr + off), v128.load(col + off)));
      }
    }
    for (let tau = t0; tau < t1; tau += 2) {
      const off = <usize>tau << 3;
      const m = v128.load(mPtr + off);
      v128.store(mPtr + off, v128.bitselect(zero, m, f64x2.eq(m, negInf)));
    }
    for (let s = 0; s < kp; s++) {
      const col = logBPtr + tStride * <usize>s;
      let b = bPtr + row * <usize>t0 + (<usize>s << 3);
      if (s == k) {
        for (let tau = t0; tau < t1; tau++) {
          store<f64>(b, 0.0);
          b += row;
        }
        break;
      }
      for (let tau = t0; tau < t1; tau += 2) {
        const off = <usize>tau << 3;
        const e = expF64x2(f64x2.sub(v128.load(col + off), v128.load(mPtr + off)));
        store<f64>(b, f64x2.extract_lane(e, 0));
        store<f64>(b + row, f64x2.extract_lane(e, 1));
        b += row << 1;
      }
    }
  }
  if (t & 1) {
    const col = logBPtr + (<usize>t2 << 3);
    let m = -Infinity;
    for (let s = 0; s < k; s++) {
      const v = load<f64>(col + tStride * <usize>s);
      m = m < v ? v : m;
    }
    const shift = m == -Infinity ? 0.0 : m;
    store<f64>(mPtr + (<usize>t2 << 3), shift);
    const b0 = bPtr + row * <usize>t2;
    for (let s = 0; s < k; s++) store<f64>(b0 + (<usize>s << 3), expF64(load<f64>(col + tStride * <usize>s) - shift));
    if (k & 1) store<f64>(b0 + (<usize>k << 3), 0.0);
  }
}

/** Σ_τ log c[τ], two lanes at a time. */
function sumLogs(cPtr: usize, t: i32): f64 {
  const t2 = t & ~1;
  let acc = f64x2.splat(0.0);
  for (let tau = 0; tau < t2; tau += 2) acc = f64x2.add(acc, logF64x2(v128.load(cPtr + (<usize>tau << 3))));
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (t & 1) sum += logF64(load<f64>(cPtr + (<usize>t2 << 3)));
  return sum;
}
