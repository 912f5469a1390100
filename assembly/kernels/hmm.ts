// Hidden Markov chain recursions for one sequence: scaled forward–backward (likelihood, posteriors, expected
// transition counts) and log-space Viterbi. Lanes run over states; state vectors are padded to an even length kp
// with zeros (forward–backward) or −∞ (Viterbi), so every loop is a whole number of f64x2 and needs no scalar tail.
import { expNegF64, expNegF64x2, logF64 } from '../simd/math';

// A step whose scale c_τ falls below this is redone with the shift taken over the reachable states only (below).
const SCALE_FLOOR: f64 = 1e-200;
// A rescued step's c below RESCUE_TINY is multiplied by RESCUE_FACTOR = 2^600 (its log subtracted from the shift).
const RESCUE_TINY: f64 = 9.332636185032189e-302; // 2^−1000
const RESCUE_FACTOR: f64 = 4.149515568880993e180; // 2^600
const RESCUE_LOG_FACTOR: f64 = 415.88830833596717; // 600·ln 2
const EXP_BITS: i64 = 0x7ff0000000000000;
const LN2: f64 = 0.6931471805599453;

/** 2^⌊log₂ c⌋ for normal c > 0: c with its mantissa cleared. */
// @ts-ignore: decorator
@inline function pow2Below(c: f64): f64 {
  return reinterpret<f64>(reinterpret<i64>(c) & EXP_BITS);
}

/** 1 / pow2Below(c), exactly (normal c > 0 below 2^1023). */
// @ts-ignore: decorator
@inline function pow2BelowInv(c: f64): f64 {
  return reinterpret<f64>((<i64>2046 << 52) - (reinterpret<i64>(c) & EXP_BITS));
}
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
 * Limit: the backward pass carries B̃/s, so a rescued step reached only through a transition probability below
 * ~1e−305 overflows it (γ, ξ); the likelihood is still exact (such a step is rescaled by 2^600).
 * work: 2·t·kp + t + 3·kp² + 4·kp f64 (kp = k rounded up to even), 16-byte aligned.
 */
export function hmmForwardBackward(
  logBPtr: usize, t: i32, k: i32, startPtr: usize, transPtr: usize, gammaPtr: usize, xiPtr: usize, workPtr: usize,
): f64 {
  // Rabiner's scaling (Bishop 13.59–13.65) on B̃_τ(s) = exp(logB[s][τ] − m_τ), m_τ = max_s logB[s][τ], with
  // power-of-two scales: c_τ = Σ_s q_τ(s) for q_τ = B̃_τ ⊙ (α̂_{τ−1}·A), s_τ = 2^⌊log₂ c_τ⌋ (c_τ with its mantissa
  // cleared), α̂_τ = q_τ / s_τ, so Σ α̂_τ ∈ [1, 2) and every scaling is exact;
  //   β̂_{t−1} = 1, β̂_τ = A·w_{τ+1} with w_{τ+1} = B̃_{τ+1} ⊙ β̂_{τ+1} / s_{τ+1};
  //   Z = Σ α̂_{t−1}, log L = Σ_τ (m_τ + log s_τ) + log Z; γ_τ = α̂_τ ⊙ β̂_τ / Z, ξ_τ(i, j) = α̂_τ(i)·A(i, j)·w_{τ+1}(j) / Z.
  // Σ_τ ξ_τ(i, j) = A(i, j)·S(i, j)/Z with S = Σ_τ α̂_τ ⊗ w_{τ+1}, so only the k×k matrix S is accumulated: the
  // backward pass stores w_τ over B̃_τ (no longer needed), and S is then one register-blocked product over τ.
  // Both recursions are chains of dependent steps, so each step keeps its critical path short: the forward pass
  // multiplies the unscaled q_{τ−1} by A and applies 1/s_{τ−1} afterwards, and 1/s is two integer operations on
  // c's bits where 1/c would be a division on the chain; the backward pass reads B̃_τ/s_τ, stored by the forward pass.
  const kp = padded(k);
  const row = <usize>kp << 3; // bytes per padded state vector
  const aPtr = workPtr; // A, kp×kp row-major, zero padding
  const atPtr = aPtr + row * <usize>kp; // Aᵀ, kp×kp
  const sPtr = atPtr + row * <usize>kp; // S, kp×kp
  const qPtr = sPtr + row * <usize>kp; // two state vectors of scratch (q, then w)
  const betaPtr = qPtr + 2 * row; // β̂_τ
  const pPtr = betaPtr + row; // π, then α̂_{τ−1}·A for a rescued step
  const bPtr = pPtr + row; // B̃, t×kp time-major; B̃_τ/s_τ after the forward pass
  const alphaPtr = bPtr + row * <usize>t; // α̂, t×kp time-major
  const cPtr = alphaPtr + row * <usize>t; // m_τ after the prepass, then s_τ

  for (let i = 0; i < kp; i++) {
    for (let j = 0; j < kp; j++) {
      const a = i < k && j < k ? load<f64>(transPtr + ((<usize>(i * k + j)) << 3)) : 0.0;
      store<f64>(aPtr + (<usize>(i * kp + j) << 3), a);
      store<f64>(atPtr + (<usize>(j * kp + i) << 3), a);
    }
    store<f64>(pPtr + (<usize>i << 3), i < k ? load<f64>(startPtr + (<usize>i << 3)) : 0.0);
  }

  // k ≤ 8 makes B̃ and the shifts inside the forward pass (forwardSmall).
  if (kp > 8) shiftedEmissions(logBPtr, t, k, bPtr, cPtr);

  let mSum: f64;
  if (kp == 2) mSum = forwardSmall(1, logBPtr, t, k, aPtr, pPtr, bPtr, alphaPtr, cPtr, qPtr);
  else if (kp == 4) mSum = forwardSmall(2, logBPtr, t, k, aPtr, pPtr, bPtr, alphaPtr, cPtr, qPtr);
  else if (kp == 6) mSum = forwardSmall(3, logBPtr, t, k, aPtr, pPtr, bPtr, alphaPtr, cPtr, qPtr);
  else if (kp == 8) mSum = forwardSmall(4, logBPtr, t, k, aPtr, pPtr, bPtr, alphaPtr, cPtr, qPtr);
  else mSum = forwardGeneric(logBPtr, t, k, aPtr, pPtr, bPtr, alphaPtr, cPtr, qPtr);
  if (isNaN(mSum)) {
    // An impossible sequence.
    if (gammaPtr) memory.fill(gammaPtr, 0, (<usize>t * <usize>k) << 3);
    return -Infinity;
  }
  const last = alphaPtr + row * <usize>(t - 1);
  let z = 0.0;
  for (let s = 0; s < k; s++) z += load<f64>(last + (<usize>s << 3));
  const logLik = mSum + sumLogs(cPtr, t) + logF64(z);
  if (gammaPtr == 0 && xiPtr == 0) return logLik;
  const invZ = 1.0 / z;

  if (xiPtr) memory.fill(sPtr, 0, row * <usize>kp);
  if (gammaPtr) {
    const tStride = <usize>t << 3;
    const gLast = gammaPtr + (<usize>(t - 1) << 3);
    for (let s = 0; s < k; s++) store<f64>(gLast + tStride * <usize>s, load<f64>(last + (<usize>s << 3)) * invZ);
  }
  if (kp == 2) backwardSmall(1, t, k, atPtr, bPtr, alphaPtr, gammaPtr, invZ);
  else if (kp == 4) backwardSmall(2, t, k, atPtr, bPtr, alphaPtr, gammaPtr, invZ);
  else if (kp == 6) backwardSmall(3, t, k, atPtr, bPtr, alphaPtr, gammaPtr, invZ);
  else if (kp == 8) backwardSmall(4, t, k, atPtr, bPtr, alphaPtr, gammaPtr, invZ);
  else backwardGeneric(t, k, atPtr, bPtr, alphaPtr, gammaPtr, betaPtr, invZ);
  if (xiPtr) {
    outerProductSum(alphaPtr, bPtr + row, t - 1, kp, sPtr);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        const x = xiPtr + (<usize>(i * k + j) << 3);
        const off = <usize>(i * kp + j) << 3;
        store<f64>(x, load<f64>(x) + load<f64>(aPtr + off) * load<f64>(sPtr + off) * invZ);
      }
    }
  }
  return logLik;
}

/**
 * A forward step whose c_τ fell below SCALE_FLOOR: the best-fitting state is (nearly) unreachable, so shift by the
 * best reachable one instead, making c_τ ≥ max p_j there. B̃ only grows, and unreachable states (p_j = 0) get
 * B̃ = 0, which changes no posterior. Rewrites row τ of B̃, writes q_τ (padding 0) to qOut and c_τ to c[τ] (the
 * caller replaces it by s_τ);
 * returns the new shift m_τ, or NaN when no state can explain step τ (an impossible sequence).
 */
function rescueStep(
  logBPtr: usize, t: i32, k: i32, tau: i32, aPtr: usize, pPtr: usize, alphaPtr: usize, btPtr: usize, qOutPtr: usize,
  cPtr: usize,
): f64 {
  const kp = padded(k);
  const row = <usize>kp << 3;
  if (tau > 0) matVecRows(alphaPtr + row * <usize>(tau - 1), aPtr, pPtr, k, kp);
  let m = -Infinity;
  for (let j = 0; j < k; j++) {
    const l = load<f64>(logBPtr + (<usize>(j * t + tau) << 3));
    if (load<f64>(pPtr + (<usize>j << 3)) > 0.0 && l > m) m = l;
  }
  if (!(m > -Infinity)) return NaN;
  let c = 0.0;
  for (let j = 0; j < k; j++) {
    const p = load<f64>(pPtr + (<usize>j << 3));
    const b = p > 0.0 ? expNegF64(load<f64>(logBPtr + (<usize>(j * t + tau) << 3)) - m) : 0.0;
    store<f64>(btPtr + (<usize>j << 3), b);
    store<f64>(qOutPtr + (<usize>j << 3), p * b);
    c += p * b;
  }
  if (k & 1) store<f64>(qOutPtr + (<usize>k << 3), 0.0);
  if (!(c > 0.0)) return NaN;
  if (c < RESCUE_TINY) {
    // Only through a transition probability near the bottom of the range (a subnormal c would have no exact
    // power-of-two reciprocal): B̃ ← B̃·2^600, m ← m − 600·ln 2.
    for (let j = 0; j < k; j++) {
      store<f64>(btPtr + (<usize>j << 3), load<f64>(btPtr + (<usize>j << 3)) * RESCUE_FACTOR);
      store<f64>(qOutPtr + (<usize>j << 3), load<f64>(qOutPtr + (<usize>j << 3)) * RESCUE_FACTOR);
    }
    c *= RESCUE_FACTOR;
    m -= RESCUE_LOG_FACTOR;
  }
  store<f64>(cPtr + (<usize>tau << 3), c);
  return m;
}

/**
 * Forward pass for any k: q_τ = B̃_τ ⊙ ((q_{τ−1}·A)·(1/s_{τ−1})), c_τ = Σ q_τ, s_τ = 2^⌊log₂ c_τ⌋, α̂_τ = q_τ/s_τ into
 * alpha, s_τ into c, B̃_τ/s_τ over B̃; returns Σ_τ m_τ, or NaN for an impossible sequence. q: two state vectors of scratch.
 */
function forwardGeneric(
  logBPtr: usize, t: i32, k: i32, aPtr: usize, pPtr: usize, bPtr: usize, alphaPtr: usize, cPtr: usize, qScratch: usize,
): f64 {
  const kp = padded(k);
  const row = <usize>kp << 3;
  let qPtr = qScratch;
  let qNextPtr = qScratch + row;
  let mSum = 0.0;
  let inv = f64x2.splat(1.0);
  for (let tau = 0; tau < t; tau++) {
    const btPtr = bPtr + row * <usize>tau;
    let cv = f64x2.splat(0.0);
    if (tau > 0) {
      matVecRows(qPtr, aPtr, qNextPtr, k, kp);
      for (let j = 0; j < kp; j += 2) {
        const off = <usize>j << 3;
        const q = f64x2.mul(v128.load(btPtr + off), f64x2.mul(v128.load(qNextPtr + off), inv));
        v128.store(qNextPtr + off, q);
        cv = f64x2.add(cv, q);
      }
    } else {
      for (let j = 0; j < kp; j += 2) {
        const off = <usize>j << 3;
        const q = f64x2.mul(v128.load(btPtr + off), v128.load(pPtr + off));
        v128.store(qNextPtr + off, q);
        cv = f64x2.add(cv, q);
      }
    }
    let c = f64x2.extract_lane(cv, 0) + f64x2.extract_lane(cv, 1);
    let m = load<f64>(cPtr + (<usize>tau << 3));
    if (!(c >= SCALE_FLOOR)) {
      m = rescueStep(logBPtr, t, k, tau, aPtr, pPtr, alphaPtr, btPtr, qNextPtr, cPtr);
      if (isNaN(m)) return NaN;
      c = load<f64>(cPtr + (<usize>tau << 3));
    }
    mSum += m;
    store<f64>(cPtr + (<usize>tau << 3), pow2Below(c));
    inv = f64x2.splat(pow2BelowInv(c));
    const atauPtr = alphaPtr + row * <usize>tau;
    for (let j = 0; j < kp; j += 2) {
      const off = <usize>j << 3;
      v128.store(atauPtr + off, f64x2.mul(v128.load(qNextPtr + off), inv));
      v128.store(btPtr + off, f64x2.mul(v128.load(btPtr + off), inv));
    }
    const tmp = qPtr;
    qPtr = qNextPtr;
    qNextPtr = tmp;
  }
  return mSum;
}

/**
 * Backward pass for any k, after forwardGeneric: β̂_τ = Aᵀ-product of w_{τ+1}, w_τ = (B̃_τ/s_τ) ⊙ β̂_τ stored over B̃_τ;
 * writes γ_τ for τ < t − 1 when gammaPtr ≠ 0. beta: one state vector of scratch.
 */
function backwardGeneric(
  t: i32, k: i32, atPtr: usize, bPtr: usize, alphaPtr: usize, gammaPtr: usize, betaPtr: usize, invZ: f64,
): void {
  const iz = f64x2.splat(invZ);
  const kp = padded(k);
  const row = <usize>kp << 3;
  const tStride = <usize>t << 3;
  // Row t−1 of B̃ already is w_{t−1} = B̃_{t−1}/s_{t−1} (β̂_{t−1} = 1).
  for (let tau = t - 2; tau >= 0; tau--) {
    const btPtr = bPtr + row * <usize>tau;
    matVecRows(btPtr + row, atPtr, betaPtr, k, kp); // β̂_τ(i) = Σ_j Aᵀ(j, i)·w_{τ+1}(j)
    for (let j = 0; j < kp; j += 2) {
      const off = <usize>j << 3;
      v128.store(btPtr + off, f64x2.mul(v128.load(btPtr + off), v128.load(betaPtr + off)));
    }
    if (gammaPtr) {
      const atauPtr = alphaPtr + row * <usize>tau;
      const gPtr = gammaPtr + (<usize>tau << 3);
      let s = 0;
      for (; s < k - 1; s += 2) {
        const g = f64x2.mul(f64x2.mul(v128.load(atauPtr + (<usize>s << 3)), v128.load(betaPtr + (<usize>s << 3))), iz);
        store<f64>(gPtr + tStride * <usize>s, f64x2.extract_lane(g, 0));
        store<f64>(gPtr + tStride * <usize>(s + 1), f64x2.extract_lane(g, 1));
      }
      if (s < k) {
        const off = <usize>s << 3;
        store<f64>(gPtr + tStride * <usize>s, load<f64>(atauPtr + off) * load<f64>(betaPtr + off) * invZ);
      }
    }
  }
}

/**
 * S[i][·] += Σ_{τ<steps} α̂_τ(i)·w_{τ+1} for all kp×kp entries (S zeroed by the caller), alpha and w time-major with
 * rows of kp (w = the row after α̂_0's partner). Blocks of 2 rows × up to 4 column vectors (8 accumulators).
 */
function outerProductSum(alphaPtr: usize, wPtr: usize, steps: i32, kp: i32, sPtr: usize): void {
  const nv = kp >> 1;
  for (let i = 0; i < kp; i += 2) {
    let v0 = 0;
    for (; v0 + 3 < nv; v0 += 4) outerBlock(4, alphaPtr, wPtr, steps, kp, i, v0, sPtr);
    if (nv - v0 == 3) outerBlock(3, alphaPtr, wPtr, steps, kp, i, v0, sPtr);
    else if (nv - v0 == 2) outerBlock(2, alphaPtr, wPtr, steps, kp, i, v0, sPtr);
    else if (nv - v0 == 1) outerBlock(1, alphaPtr, wPtr, steps, kp, i, v0, sPtr);
  }
}

/** outerProductSum for rows i, i + 1 and the NC column vectors from v0 (NC constant at each call site). */
// @ts-ignore: decorator
@inline function outerBlock(NC: i32, alphaPtr: usize, wPtr: usize, steps: i32, kp: i32, i: i32, v0: i32, sPtr: usize): void {
  const row = <usize>kp << 3;
  const zero = f64x2.splat(0);
  let a00 = zero, a01 = zero, a02 = zero, a03 = zero;
  let a10 = zero, a11 = zero, a12 = zero, a13 = zero;
  let ap = alphaPtr + (<usize>i << 3);
  let wp = wPtr + (<usize>v0 << 4);
  const end = ap + row * <usize>steps;
  for (; ap < end; ap += row, wp += row) {
    const x0 = v128.load64_splat(ap);
    const x1 = v128.load64_splat(ap, 8);
    const w0 = v128.load(wp);
    a00 = f64x2.add(a00, f64x2.mul(x0, w0));
    a10 = f64x2.add(a10, f64x2.mul(x1, w0));
    if (NC > 1) {
      const w1 = v128.load(wp, 16);
      a01 = f64x2.add(a01, f64x2.mul(x0, w1));
      a11 = f64x2.add(a11, f64x2.mul(x1, w1));
    }
    if (NC > 2) {
      const w2 = v128.load(wp, 32);
      a02 = f64x2.add(a02, f64x2.mul(x0, w2));
      a12 = f64x2.add(a12, f64x2.mul(x1, w2));
    }
    if (NC > 3) {
      const w3 = v128.load(wp, 48);
      a03 = f64x2.add(a03, f64x2.mul(x0, w3));
      a13 = f64x2.add(a13, f64x2.mul(x1, w3));
    }
  }
  const s0 = sPtr + row * <usize>i + (<usize>v0 << 4);
  const s1 = s0 + row;
  v128.store(s0, f64x2.add(v128.load(s0), a00));
  v128.store(s1, f64x2.add(v128.load(s1), a10));
  if (NC > 1) {
    v128.store(s0, f64x2.add(v128.load(s0, 16), a01), 16);
    v128.store(s1, f64x2.add(v128.load(s1, 16), a11), 16);
  }
  if (NC > 2) {
    v128.store(s0, f64x2.add(v128.load(s0, 32), a02), 32);
    v128.store(s1, f64x2.add(v128.load(s1, 32), a12), 32);
  }
  if (NC > 3) {
    v128.store(s0, f64x2.add(v128.load(s0, 48), a03), 48);
    v128.store(s1, f64x2.add(v128.load(s1, 48), a13), 48);
  }
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
    // States in pairs: exps of two states at two times are transposed by two shuffles into two vector stores.
    for (let s = 0; s < kp; s += 2) {
      const col0 = logBPtr + tStride * <usize>s;
      const col1 = col0 + tStride; // read only when s + 1 < k
      const odd = s + 1 == k;
      let b = bPtr + row * <usize>t0 + (<usize>s << 3);
      for (let tau = t0; tau < t1; tau += 2) {
        const off = <usize>tau << 3;
        const m = v128.load(mPtr + off);
        const e0 = expNegF64x2(f64x2.sub(v128.load(col0 + off), m));
        const e1 = odd ? zero : expNegF64x2(f64x2.sub(v128.load(col1 + off), m));
        v128.store(b, v128.shuffle<f64>(e0, e1, 0, 2));
        v128.store(b + row, v128.shuffle<f64>(e0, e1, 1, 3));
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
    for (let s = 0; s < k; s++) store<f64>(b0 + (<usize>s << 3), expNegF64(load<f64>(col + tStride * <usize>s) - shift));
    if (k & 1) store<f64>(b0 + (<usize>k << 3), 0.0);
  }
}

/** Σ_τ log s[τ] for the powers of two s_τ: their exponents summed as integers, times ln 2 (one rounding). */
function sumLogs(cPtr: usize, t: i32): f64 {
  let e: i64 = 0;
  for (let tau = 0; tau < t; tau++) e += <i64>(load<u64>(cPtr + (<usize>tau << 3)) >> 52) - 1023;
  return <f64>e * LN2;
}

// ---------------------------------------------------------------- k ≤ 8: the state vectors in registers
// For kp ≤ 8 (nv = kp/2 ≤ 4 vectors) the recursions keep q, w and β in v128 locals and unroll the k×k products,
// so a step is a few dozen instructions with no loop overhead and no store-to-load round trip on its critical path.
// nv is a constant at every call site: after inlining, the `nv > …` tests fold away.

// @ts-ignore: decorator
@inline function lane0(v: v128): v128 {
  return v128.shuffle<f64>(v, v, 0, 0);
}

// @ts-ignore: decorator
@inline function lane1(v: v128): v128 {
  return v128.shuffle<f64>(v, v, 1, 1);
}

/** acc + x·M[j] for the nv vectors of row M (even/odd accumulator sets are chosen by the caller). */
// @ts-ignore: decorator
@inline function rowFma(nv: i32, acc: v128, x: v128, m: usize, j: i32): v128 {
  return j < nv ? f64x2.add(acc, f64x2.mul(x, v128.load(m + (<usize>j << 4)))) : acc;
}

/**
 * One k×k product for k ≤ 8: returns vector j (0 ≤ j < nv) of Σ_i x_i·M[i] where x is given as the registers
 * x0…x3 and M is kp×kp row-major; rows alternate between two accumulators to halve the dependent adds.
 */
// @ts-ignore: decorator
@inline function smallMatVec(nv: i32, j: i32, x0: v128, x1: v128, x2: v128, x3: v128, m: usize): v128 {
  const row: usize = <usize>nv << 4;
  const off = <usize>j << 4;
  let e = f64x2.mul(lane0(x0), v128.load(m + off));
  let o = f64x2.mul(lane1(x0), v128.load(m + row + off));
  if (nv > 1) {
    e = f64x2.add(e, f64x2.mul(lane0(x1), v128.load(m + 2 * row + off)));
    o = f64x2.add(o, f64x2.mul(lane1(x1), v128.load(m + 3 * row + off)));
  }
  if (nv > 2) {
    e = f64x2.add(e, f64x2.mul(lane0(x2), v128.load(m + 4 * row + off)));
    o = f64x2.add(o, f64x2.mul(lane1(x2), v128.load(m + 5 * row + off)));
  }
  if (nv > 3) {
    e = f64x2.add(e, f64x2.mul(lane0(x3), v128.load(m + 6 * row + off)));
    o = f64x2.add(o, f64x2.mul(lane1(x3), v128.load(m + 7 * row + off)));
  }
  return f64x2.add(e, o);
}

/** (logB[s][τ], logB[s + 1][τ]) from lb = logB + τ (states tStride bytes apart); −∞ for a state s + 1 = k. */
// @ts-ignore: decorator
@inline function statePair(lb: usize, tStride: usize, s: i32, k: i32): v128 {
  const v = v128.load64_splat(lb + tStride * <usize>s);
  return f64x2.replace_lane(v, 1, s + 1 < k ? load<f64>(lb + tStride * <usize>(s + 1)) : -Infinity);
}

/** forwardGeneric for kp = 2·nv ≤ 8, with q in registers. */
// @ts-ignore: decorator
@inline function forwardSmall(
  nv: i32, logBPtr: usize, t: i32, k: i32, aPtr: usize, pPtr: usize, bPtr: usize, alphaPtr: usize, cPtr: usize,
  qPtr: usize,
): f64 {
  const row: usize = <usize>nv << 4;
  const zero = f64x2.splat(0.0);
  let q0 = zero;
  let q1 = zero;
  let q2 = zero;
  let q3 = zero;
  let inv = zero;
  let mSum = 0.0;
  const tStride = <usize>t << 3;
  const negInf = f64x2.splat(-Infinity);
  for (let tau = 0; tau < t; tau++) {
    const bt = bPtr + row * <usize>tau;
    // shiftedEmissions' work for step τ, done here so that its exps overlap the recursion's chain of dependent
    // steps (they do not depend on q): m_τ = max_s logB[s][τ] (0 when all are −∞), B̃_τ = exp(logB[·][τ] − m_τ).
    const lb = logBPtr + (<usize>tau << 3);
    const l0 = statePair(lb, tStride, 0, k);
    const l1 = nv > 1 ? statePair(lb, tStride, 2, k) : negInf;
    const l2 = nv > 2 ? statePair(lb, tStride, 4, k) : negInf;
    const l3 = nv > 3 ? statePair(lb, tStride, 6, k) : negInf;
    const lm = f64x2.pmax(f64x2.pmax(l0, l1), f64x2.pmax(l2, l3));
    const top = max(f64x2.extract_lane(lm, 0), f64x2.extract_lane(lm, 1));
    let m = top == -Infinity ? 0.0 : top;
    const shift = f64x2.splat(m);
    let e0 = expNegF64x2(f64x2.sub(l0, shift));
    let e1 = nv > 1 ? expNegF64x2(f64x2.sub(l1, shift)) : zero;
    let e2 = nv > 2 ? expNegF64x2(f64x2.sub(l2, shift)) : zero;
    let e3 = nv > 3 ? expNegF64x2(f64x2.sub(l3, shift)) : zero;
    if (tau == 0) {
      q0 = f64x2.mul(e0, v128.load(pPtr));
      if (nv > 1) q1 = f64x2.mul(e1, v128.load(pPtr, 16));
      if (nv > 2) q2 = f64x2.mul(e2, v128.load(pPtr, 32));
      if (nv > 3) q3 = f64x2.mul(e3, v128.load(pPtr, 48));
    } else {
      const p0 = smallMatVec(nv, 0, q0, q1, q2, q3, aPtr);
      const p1 = nv > 1 ? smallMatVec(nv, 1, q0, q1, q2, q3, aPtr) : zero;
      const p2 = nv > 2 ? smallMatVec(nv, 2, q0, q1, q2, q3, aPtr) : zero;
      const p3 = nv > 3 ? smallMatVec(nv, 3, q0, q1, q2, q3, aPtr) : zero;
      q0 = f64x2.mul(e0, f64x2.mul(p0, inv));
      if (nv > 1) q1 = f64x2.mul(e1, f64x2.mul(p1, inv));
      if (nv > 2) q2 = f64x2.mul(e2, f64x2.mul(p2, inv));
      if (nv > 3) q3 = f64x2.mul(e3, f64x2.mul(p3, inv));
    }
    let cv = q0;
    if (nv > 1) cv = f64x2.add(cv, q1);
    if (nv > 2) cv = f64x2.add(cv, q2);
    if (nv > 3) cv = f64x2.add(cv, q3);
    let c = f64x2.extract_lane(cv, 0) + f64x2.extract_lane(cv, 1);
    if (!(c >= SCALE_FLOOR)) {
      // rescueStep rewrites B̃_τ's k states in memory (the padding lane keeps e's 0).
      v128.store(bt, e0);
      if (nv > 1) v128.store(bt, e1, 16);
      if (nv > 2) v128.store(bt, e2, 32);
      if (nv > 3) v128.store(bt, e3, 48);
      m = rescueStep(logBPtr, t, k, tau, aPtr, pPtr, alphaPtr, bt, qPtr, cPtr);
      if (isNaN(m)) return NaN;
      c = load<f64>(cPtr + (<usize>tau << 3));
      q0 = v128.load(qPtr);
      e0 = v128.load(bt);
      if (nv > 1) { q1 = v128.load(qPtr, 16); e1 = v128.load(bt, 16); }
      if (nv > 2) { q2 = v128.load(qPtr, 32); e2 = v128.load(bt, 32); }
      if (nv > 3) { q3 = v128.load(qPtr, 48); e3 = v128.load(bt, 48); }
    }
    mSum += m;
    store<f64>(cPtr + (<usize>tau << 3), pow2Below(c));
    inv = f64x2.splat(pow2BelowInv(c));
    const at = alphaPtr + row * <usize>tau;
    v128.store(at, f64x2.mul(q0, inv));
    v128.store(bt, f64x2.mul(e0, inv));
    if (nv > 1) {
      v128.store(at, f64x2.mul(q1, inv), 16);
      v128.store(bt, f64x2.mul(e1, inv), 16);
    }
    if (nv > 2) {
      v128.store(at, f64x2.mul(q2, inv), 32);
      v128.store(bt, f64x2.mul(e2, inv), 32);
    }
    if (nv > 3) {
      v128.store(at, f64x2.mul(q3, inv), 48);
      v128.store(bt, f64x2.mul(e3, inv), 48);
    }
  }
  return mSum;
}

/** γ_τ(2j), γ_τ(2j+1) (when < k) from the vector g. */
// @ts-ignore: decorator
@inline function storeGammaPair(g: v128, j: i32, k: i32, gPtr: usize, tStride: usize): void {
  store<f64>(gPtr + tStride * <usize>(2 * j), f64x2.extract_lane(g, 0));
  if (2 * j + 1 < k) store<f64>(gPtr + tStride * <usize>(2 * j + 1), f64x2.extract_lane(g, 1));
}

/** backwardGeneric for kp = 2·nv ≤ 8, with w and β̂ in registers. */
// @ts-ignore: decorator
@inline function backwardSmall(
  nv: i32, t: i32, k: i32, atPtr: usize, bPtr: usize, alphaPtr: usize, gammaPtr: usize, invZ: f64,
): void {
  const row: usize = <usize>nv << 4;
  const iz = f64x2.splat(invZ);
  const tStride = <usize>t << 3;
  const zero = f64x2.splat(0.0);
  const bl = bPtr + row * <usize>(t - 1); // w_{t−1} = B̃_{t−1}/s_{t−1} (β̂_{t−1} = 1)
  let w0 = v128.load(bl);
  let w1 = nv > 1 ? v128.load(bl, 16) : zero;
  let w2 = nv > 2 ? v128.load(bl, 32) : zero;
  let w3 = nv > 3 ? v128.load(bl, 48) : zero;
  for (let tau = t - 2; tau >= 0; tau--) {
    const b0 = smallMatVec(nv, 0, w0, w1, w2, w3, atPtr);
    const b1 = nv > 1 ? smallMatVec(nv, 1, w0, w1, w2, w3, atPtr) : zero;
    const b2 = nv > 2 ? smallMatVec(nv, 2, w0, w1, w2, w3, atPtr) : zero;
    const b3 = nv > 3 ? smallMatVec(nv, 3, w0, w1, w2, w3, atPtr) : zero;
    const at = alphaPtr + row * <usize>tau;
    if (gammaPtr) {
      const gPtr = gammaPtr + (<usize>tau << 3);
      storeGammaPair(f64x2.mul(f64x2.mul(v128.load(at), b0), iz), 0, k, gPtr, tStride);
      if (nv > 1) storeGammaPair(f64x2.mul(f64x2.mul(v128.load(at, 16), b1), iz), 1, k, gPtr, tStride);
      if (nv > 2) storeGammaPair(f64x2.mul(f64x2.mul(v128.load(at, 32), b2), iz), 2, k, gPtr, tStride);
      if (nv > 3) storeGammaPair(f64x2.mul(f64x2.mul(v128.load(at, 48), b3), iz), 3, k, gPtr, tStride);
    }
    const bt = bPtr + row * <usize>tau;
    w0 = f64x2.mul(v128.load(bt), b0);
    v128.store(bt, w0);
    if (nv > 1) {
      w1 = f64x2.mul(v128.load(bt, 16), b1);
      v128.store(bt, w1, 16);
    }
    if (nv > 2) {
      w2 = f64x2.mul(v128.load(bt, 32), b2);
      v128.store(bt, w2, 32);
    }
    if (nv > 3) {
      w3 = f64x2.mul(v128.load(bt, 48), b3);
      v128.store(bt, w3, 48);
    }
  }
}

