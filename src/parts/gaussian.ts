import { DegenerateComponentError, ShapeError, ValidationError, assertNever } from '../core/errors.js';
import { cholLowerInPlace, invLower, mulTransposed, upperFactor } from '../core/linalg.js';
import { describe } from '../core/matrix.js';
import type { Workspace } from '../wasm/workspace.js';
import { log } from '../core/fdlibm.js';

export type CovarianceType = 'full' | 'tied' | 'diag' | 'spherical';
export const COVARIANCE_TYPES: readonly CovarianceType[] = ['full', 'tied', 'diag', 'spherical'];

/** Floor added to N_k, as scikit-learn (10·eps): an empty component keeps finite means. */
export const NK_FLOOR = 10 * Number.EPSILON;

/** Feature-major data in wasm memory: x[j*n + i]; optional per-sample weights. */
export interface DataBlock {
  xPtr: number;
  n: number;
  d: number;
  /** 0 when every weight is 1. */
  swPtr: number;
  /** Σ_i w_i. */
  weight: number;
}

/** Statistics of one covariance type: N_k, Σ r·x and the second moments, as views into one block. */
export interface GaussStatsView {
  nk: Float64Array; // k, raw Σ_i r_ik (no floor)
  s1: Float64Array; // k×d
  s2: Float64Array; // k×m
}

/**
 * One strategy object per covariance type: everything that differs between full, tied, diag and spherical
 * lives here, and nowhere else branches on the type.
 */
export interface CovarianceFamily {
  readonly type: CovarianceType;
  /** Length of the compact covariance (and precision-Cholesky) array: K×D×D, D×D, K×D or K. */
  size(k: number, d: number): number;
  /** The compact shape, outermost first. */
  shape(k: number, d: number): number[];
  /** Length of one component's second-moment statistics. */
  momentSize(d: number): number;
  /** Scratch (f64) the kernels need for k components. */
  workSize(k: number, d: number): number;
  /** Adds every component's statistics (N_k, Σ r·x, second moments) for responsibilities r (k×n) in one kernel call. */
  accumulate(ws: Workspace, x: DataBlock, k: number, rPtr: number, nkPtr: number, s1Ptr: number, s2Ptr: number, workPtr: number): void;
  /** Kernel parameters for all components, laid out for `logProb`. */
  kernelParams(pc: Float64Array, k: number, d: number): Float64Array;
  /** out[c·n + i] = cs[c] − ½·Mahalanobis²(x_i; μ_c) for every component c < k, in one kernel call. */
  logProb(ws: Workspace, x: DataBlock, k: number, meanPtr: number, kpPtr: number, csPtr: number, outPtr: number, workPtr: number): void;
  /** log det of each component's precision Cholesky factor (scikit-learn `_compute_log_det_cholesky`). */
  logDet(pc: Float64Array, k: number, d: number): Float64Array;
  /** M-step covariances from statistics (scikit-learn `_estimate_gaussian_covariances_*`), regCovar added. */
  covariances(st: GaussStatsView, means: Float64Array, nkFloored: Float64Array, k: number, d: number, regCovar: number): Float64Array;
  /** Precision Cholesky factors (upper triangular for full/tied), or DegenerateComponentError. */
  precisionsCholesky(ws: Workspace, cov: Float64Array, k: number, d: number): Float64Array;
  /** Precision matrices from their Cholesky factors. */
  precisions(pc: Float64Array, k: number, d: number): Float64Array;
  /** Precision Cholesky factors and covariances from user precisions (precisionsInit). */
  fromPrecisions(prec: Float64Array, k: number, d: number): { pc: Float64Array; cov: Float64Array };
  /** Free covariance parameters (scikit-learn `_n_parameters`). */
  nParameters(k: number, d: number): number;
  /** Component `comp`'s full d×d covariance (for sampling). */
  fullCovariance(cov: Float64Array, comp: number, d: number): Float64Array;
  /** Compact covariances with every component set from one full d×d matrix (e.g. the data covariance). */
  fromFull(full: Float64Array, k: number, d: number): Float64Array;
}

function degenerate(comp: number, pivot: number): DegenerateComponentError {
  return new DegenerateComponentError(comp, `its covariance is not positive definite at pivot ${pivot}`);
}

/** Shared by full and tied: d×d blocks through the wasm Cholesky. */
function blockPrecisionsCholesky(ws: Workspace, cov: Float64Array, blocks: number, d: number): Float64Array {
  return ws.scope(() => {
    const dd = d * d;
    const covPtr = ws.put(cov);
    const outPtr = ws.alloc(cov.length);
    const workPtr = ws.alloc(dd);
    for (let b = 0; b < blocks; b++) {
      const bad = ws.k.gaussPrecisionCholesky(covPtr + b * dd * 8, d, outPtr + b * dd * 8, workPtr);
      if (bad >= 0) throw degenerate(b, bad);
    }
    return ws.f64(outPtr, cov.length).slice();
  });
}

function blockPrecisions(pc: Float64Array, blocks: number, d: number): Float64Array {
  const out = new Float64Array(pc.length);
  for (let b = 0; b < blocks; b++) mulTransposed(pc, d, b * d * d, out, b * d * d);
  return out;
}

function blockFromPrecisions(prec: Float64Array, blocks: number, d: number): { pc: Float64Array; cov: Float64Array } {
  const dd = d * d;
  const pc = new Float64Array(prec.length);
  const cov = new Float64Array(prec.length);
  const l = new Float64Array(dd);
  const li = new Float64Array(dd);
  for (let b = 0; b < blocks; b++) {
    const bad = upperFactor(prec, d, b * dd, pc, b * dd);
    if (bad >= 0) throw new ValidationError(`precisionsInit[${b}] must be symmetric positive definite (pivot ${bad} fails)`);
    // Σ = P⁻¹ = (UUᵀ)⁻¹ = U⁻ᵀU⁻¹; with Uᵀ lower, (Uᵀ)⁻¹ = U⁻ᵀ.
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) l[i * d + j] = pc[b * dd + j * d + i]!;
    invLower(l, d, 0, li, 0);
    // cov = (Uᵀ)⁻¹ᵀ (Uᵀ)⁻¹ = liᵀ·li
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let p = 0; p < d; p++) s += li[p * d + i]! * li[p * d + j]!;
        cov[b * dd + i * d + j] = s;
      }
    }
  }
  return { pc, cov };
}

/** Σ_i r (x−μ)(x−μ)ᵀ = S2 − μS1ᵀ − S1μᵀ + R·μμᵀ for one component, added into out. */
function centredScatter(s2: Float64Array, s2Off: number, s1: Float64Array, mu: Float64Array, off: number, r: number, d: number, out: Float64Array, outOff: number, scale: number): void {
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      const v = s2[s2Off + a * d + b]! - mu[off + a]! * s1[off + b]! - s1[off + a]! * mu[off + b]! + r * mu[off + a]! * mu[off + b]!;
      out[outOff + a * d + b] += v * scale;
    }
  }
}

/** Work of the full/tied kernels (assembly/kernels/gauss-full.ts): two d×64 panels and k·d·d lane pairs (≥ k·d). */
function fullWorkSize(k: number, d: number): number {
  return 2 * 64 * d + 2 * k * d * d + 8;
}

const full: CovarianceFamily = {
  type: 'full',
  size: (k, d) => k * d * d,
  shape: (k, d) => [k, d, d],
  momentSize: (d) => d * d,
  workSize: fullWorkSize,
  accumulate: (ws, x, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr) => ws.k.gaussAccumulateFull(x.xPtr, x.n, x.d, k, rPtr, nkPtr, s1Ptr, s2Ptr, workPtr),
  kernelParams: (pc) => pc,
  logProb: (ws, x, k, meanPtr, kpPtr, csPtr, outPtr, workPtr) =>
    ws.k.gaussFullLogProb(x.xPtr, x.n, x.d, k, meanPtr, kpPtr, x.d * x.d, csPtr, outPtr, workPtr),
  logDet: (pc, k, d) => {
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) out[c] += log(pc[c * d * d + j * d + j]!);
    return out;
  },
  covariances: (st, means, nkf, k, d, reg) => {
    const cov = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) {
      centredScatter(st.s2, c * d * d, st.s1, means, c * d, st.nk[c]!, d, cov, c * d * d, 1 / nkf[c]!);
      for (let j = 0; j < d; j++) cov[c * d * d + j * d + j] += reg;
    }
    return cov;
  },
  precisionsCholesky: (ws, cov, k, d) => blockPrecisionsCholesky(ws, cov, k, d),
  precisions: (pc, k, d) => blockPrecisions(pc, k, d),
  fromPrecisions: (prec, k, d) => blockFromPrecisions(prec, k, d),
  nParameters: (k, d) => (k * d * (d + 1)) / 2,
  fullCovariance: (cov, comp, d) => cov.slice(comp * d * d, (comp + 1) * d * d),
  fromFull: (f, k, d) => {
    const out = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) out.set(f, c * d * d);
    return out;
  },
};

const tied: CovarianceFamily = {
  type: 'tied',
  size: (_k, d) => d * d,
  shape: (_k, d) => [d, d],
  momentSize: (d) => d * d,
  workSize: fullWorkSize,
  accumulate: full.accumulate,
  kernelParams: (pc) => pc,
  logProb: (ws, x, k, meanPtr, kpPtr, csPtr, outPtr, workPtr) =>
    ws.k.gaussFullLogProb(x.xPtr, x.n, x.d, k, meanPtr, kpPtr, 0, csPtr, outPtr, workPtr),
  logDet: (pc, k, d) => new Float64Array(k).fill(full.logDet(pc, 1, d)[0]!),
  covariances: (st, means, nkf, k, d, reg) => {
    // scikit-learn: (XᵀX − Σ_k N_k μ_k μ_kᵀ) / Σ_k N_k, written as the pooled scatter about each μ_k, which
    // equals it when μ_k = S1_k / N_k and stays right when the means are held fixed (HMM `update`).
    const cov = new Float64Array(d * d);
    let total = 0;
    for (let c = 0; c < k; c++) total += nkf[c]!;
    for (let c = 0; c < k; c++) centredScatter(st.s2, c * d * d, st.s1, means, c * d, st.nk[c]!, d, cov, 0, 1 / total);
    for (let j = 0; j < d; j++) cov[j * d + j] += reg;
    return cov;
  },
  precisionsCholesky: (ws, cov, _k, d) => blockPrecisionsCholesky(ws, cov, 1, d),
  precisions: (pc, _k, d) => blockPrecisions(pc, 1, d),
  fromPrecisions: (prec, _k, d) => blockFromPrecisions(prec, 1, d),
  nParameters: (_k, d) => (d * (d + 1)) / 2,
  fullCovariance: (cov, _comp, d) => cov.slice(0, d * d),
  fromFull: (f) => f.slice(),
};

/** Diagonal precisions per component (K×D) for the diag kernel. */
function squares(pc: Float64Array): Float64Array {
  return pc.map((v) => v * v);
}

function elementwisePrecisionsCholesky(cov: Float64Array, perComp: number): Float64Array {
  const pc = new Float64Array(cov.length);
  for (let p = 0; p < cov.length; p++) {
    const v = cov[p]!;
    if (!(v > 0) || !Number.isFinite(v)) throw degenerate(Math.floor(p / perComp), p % perComp);
    pc[p] = 1 / Math.sqrt(v);
  }
  return pc;
}

function elementwiseFromPrecisions(prec: Float64Array): { pc: Float64Array; cov: Float64Array } {
  for (let p = 0; p < prec.length; p++) {
    if (!(prec[p]! > 0) || !Number.isFinite(prec[p])) throw new ValidationError(`precisionsInit must be positive, got ${prec[p]} at ${p}`);
  }
  return { pc: prec.map(Math.sqrt), cov: prec.map((v) => 1 / v) };
}

/** scikit-learn's diag formula: S2/N − 2·μ·S1/N + μ² (+ reg), per component and feature. */
function diagCovariances(st: GaussStatsView, means: Float64Array, nkf: Float64Array, k: number, d: number, reg: number): Float64Array {
  const cov = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    for (let j = 0; j < d; j++) {
      const p = c * d + j;
      const mu = means[p]!;
      cov[p] = st.s2[p]! / nkf[c]! - (2 * mu * st.s1[p]!) / nkf[c]! + mu * mu + reg;
    }
  }
  return cov;
}

const diag: CovarianceFamily = {
  type: 'diag',
  size: (k, d) => k * d,
  shape: (k, d) => [k, d],
  momentSize: (d) => d,
  workSize: () => 0,
  accumulate: (ws, x, k, rPtr, nkPtr, s1Ptr, s2Ptr) => ws.k.gaussAccumulateDiag(x.xPtr, x.n, x.d, k, rPtr, nkPtr, s1Ptr, s2Ptr),
  kernelParams: squares,
  logProb: (ws, x, k, meanPtr, kpPtr, csPtr, outPtr) => ws.k.gaussDiagLogProb(x.xPtr, x.n, x.d, k, meanPtr, kpPtr, csPtr, outPtr),
  logDet: (pc, k, d) => {
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) out[c] += log(pc[c * d + j]!);
    return out;
  },
  covariances: diagCovariances,
  precisionsCholesky: (_ws, cov, _k, d) => elementwisePrecisionsCholesky(cov, d),
  precisions: squares,
  fromPrecisions: (prec) => elementwiseFromPrecisions(prec),
  nParameters: (k, d) => k * d,
  fullCovariance: (cov, comp, d) => {
    const out = new Float64Array(d * d);
    for (let j = 0; j < d; j++) out[j * d + j] = cov[comp * d + j]!;
    return out;
  },
  fromFull: (f, k, d) => {
    const out = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) out[c * d + j] = f[j * d + j]!;
    return out;
  },
};

const spherical: CovarianceFamily = {
  type: 'spherical',
  size: (k) => k,
  shape: (k) => [k],
  momentSize: (d) => d,
  workSize: () => 0,
  accumulate: diag.accumulate,
  kernelParams: (pc, k, d) => {
    const out = new Float64Array(k * d);
    for (let c = 0; c < k; c++) out.fill(pc[c]! * pc[c]!, c * d, (c + 1) * d);
    return out;
  },
  logProb: diag.logProb,
  logDet: (pc, _k, d) => pc.map((v) => d * log(v)),
  covariances: (st, means, nkf, k, d, reg) => {
    const dc = diagCovariances(st, means, nkf, k, d, reg);
    const out = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += dc[c * d + j]!;
      out[c] = s / d;
    }
    return out;
  },
  precisionsCholesky: (_ws, cov) => elementwisePrecisionsCholesky(cov, 1),
  precisions: squares,
  fromPrecisions: (prec) => elementwiseFromPrecisions(prec),
  nParameters: (k) => k,
  fullCovariance: (cov, comp, d) => {
    const out = new Float64Array(d * d);
    for (let j = 0; j < d; j++) out[j * d + j] = cov[comp]!;
    return out;
  },
  fromFull: (f, k, d) => {
    let t = 0;
    for (let j = 0; j < d; j++) t += f[j * d + j]!;
    return new Float64Array(k).fill(t / d);
  },
};

/** The family registry: the one place that maps a covariance type to its strategy. */
export function covarianceFamily(type: CovarianceType): CovarianceFamily {
  switch (type) {
    case 'full':
      return full;
    case 'tied':
      return tied;
    case 'diag':
      return diag;
    case 'spherical':
      return spherical;
    default:
      if (typeof type === 'string' || type === undefined) {
        throw new ValidationError(`covarianceType must be one of ${COVARIANCE_TYPES.join(', ')}, got ${describe(type)}`);
      }
      return assertNever(type, 'covarianceType');
  }
}

/** Flattens a nested array of the given shape, checking every level (`name must be 3×2×2, got …`). */
export function flattenShape(v: unknown, shape: readonly number[], name: string): Float64Array {
  const total = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(total);
  let p = 0;
  const want = shape.join('×');
  const walk = (x: unknown, level: number, path: string): void => {
    if (level === shape.length) {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new ValidationError(`${name}${path} must be a finite number, got ${describe(x)}`);
      out[p++] = x;
      return;
    }
    const len = Array.isArray(x) || ArrayBuffer.isView(x) ? (x as ArrayLike<unknown>).length : -1;
    if (len !== shape[level]) throw new ShapeError(`${name} must be ${want}, got ${len < 0 ? describe(x) : `length ${len}`} at ${name}${path}`);
    for (let i = 0; i < len; i++) walk((x as ArrayLike<unknown>)[i], level + 1, `${path}[${i}]`);
  };
  walk(v, 0, '');
  return out;
}

/** Nested plain arrays of `shape` from flat data. */
export function nest(data: ArrayLike<number>, shape: readonly number[]): unknown {
  const build = (level: number, off: number): unknown => {
    if (level === shape.length - 1) return Array.from({ length: shape[level]! }, (_, i) => data[off + i]!);
    const stride = shape.slice(level + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[level]! }, (_, i) => build(level + 1, off + i * stride));
  };
  return build(0, 0);
}

export { cholLowerInPlace };
