import type { Workspace } from '../wasm/workspace.js';
import type { Frame } from './data.js';
import type { Emission } from './emission.js';
import { NK_FLOOR, type CovarianceFamily, type DataBlock, type GaussStatsView } from './gaussian.js';
import { log } from '../core/fdlibm.js';

const LOG_2PI = log(2 * Math.PI);

/** Gaussian component parameters (flat; covariance arrays in the family's compact shape). */
export interface GaussComponents {
  means: Float64Array; // k×d
  covariances: Float64Array;
  precisionsCholesky: Float64Array;
}

/** Statistics layout: [N_k (k) | Σ r·x (k×d) | second moments (k×m)]. */
export function gaussStatsView(values: Float64Array, off: number, k: number, d: number, m: number): GaussStatsView {
  return {
    nk: values.subarray(off, off + k),
    s1: values.subarray(off + k, off + k + k * d),
    s2: values.subarray(off + k + k * d, off + k + k * d + k * m),
  };
}

/**
 * Gaussian components of one covariance type on the wasm kernels. Buffers are allocated once, at
 * construction; parameters are uploaded only when they change.
 */
export class GaussianEmission implements Emission<GaussComponents> {
  readonly statsLen: number;
  private readonly m: number;
  private readonly meanPtr: number;
  private readonly kpPtr: number;
  private readonly statsPtr: number;
  private readonly workPtr: number;
  private readonly csPtr: number;
  private uploaded: GaussComponents | undefined;
  private logDet: Float64Array = new Float64Array(0);

  constructor(
    private readonly ws: Workspace,
    readonly family: CovarianceFamily,
    readonly k: number,
    readonly d: number,
    readonly regCovar: number,
  ) {
    this.m = family.momentSize(d);
    this.statsLen = k + k * d + k * this.m;
    this.meanPtr = ws.alloc(k * d);
    this.kpPtr = ws.alloc(Math.max(k * d, family.size(k, d)));
    this.statsPtr = ws.alloc(this.statsLen);
    this.workPtr = ws.alloc(Math.max(16, family.workSize(k, d)));
    this.csPtr = ws.alloc(k);
  }

  private upload(p: GaussComponents): void {
    if (p === this.uploaded) return;
    const { ws, family, k, d } = this;
    ws.f64(this.meanPtr, k * d).set(p.means);
    const kp = family.kernelParams(p.precisionsCholesky, k, d);
    ws.f64(this.kpPtr, kp.length).set(kp);
    this.logDet = family.logDet(p.precisionsCholesky, k, d);
    this.uploaded = p;
  }

  logProb(p: GaussComponents, x: DataBlock, outPtr: number, shift?: Float64Array): void {
    this.upload(p);
    const { ws, family, k, d } = this;
    const cs = ws.f64(this.csPtr, k);
    for (let c = 0; c < k; c++) {
      // scikit-learn `_estimate_log_gaussian_prob`: −½(d·log 2π + maha) + log det U, plus the shift (log weight).
      cs[c] = (shift ? shift[c]! : 0) - 0.5 * d * LOG_2PI + this.logDet[c]!;
    }
    family.logProb(ws, x, k, this.meanPtr, this.kpPtr, this.csPtr, outPtr, this.workPtr);
  }

  accumulate(x: DataBlock, rPtr: number, values: Float64Array, off: number): void {
    const { ws, family, k, d, m } = this;
    ws.f64(this.statsPtr, this.statsLen).fill(0);
    const s1Ptr = this.statsPtr + k * 8;
    const s2Ptr = s1Ptr + k * d * 8;
    family.accumulate(ws, x, k, rPtr, this.statsPtr, s1Ptr, s2Ptr, this.workPtr);
    const st = ws.f64(this.statsPtr, this.statsLen);
    for (let p = 0; p < this.statsLen; p++) values[off + p] += st[p]!;
  }

  counts(values: Float64Array, off: number): Float64Array {
    return values.slice(off, off + this.k);
  }

  readonly groups = ['means', 'covars'] as const;

  /**
   * scikit-learn `_estimate_gaussian_parameters`: N_k floored at 10·eps, means, covariances + regCovar
   * (about the current means, which stay as in `prev` when 'means' is not updated).
   */
  mStep(values: Float64Array, off: number, prev?: GaussComponents, update?: ReadonlySet<string>): GaussComponents {
    const { family, k, d, m } = this;
    const st = gaussStatsView(values, off, k, d, m);
    const nkf = st.nk.map((v) => v + NK_FLOOR);
    let means: Float64Array = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] = st.s1[c * d + j]! / nkf[c]!;
    if (prev && update && !update.has('means')) means = prev.means;
    if (prev && update && !update.has('covars')) return { means, covariances: prev.covariances, precisionsCholesky: prev.precisionsCholesky };
    const covariances = family.covariances(st, means, nkf, k, d, this.regCovar);
    const precisionsCholesky = family.precisionsCholesky(this.ws, covariances, k, d);
    return { means, covariances, precisionsCholesky };
  }

  nParameters(): number {
    return this.family.nParameters(this.k, this.d) + this.k * this.d;
  }
}

/** Components moved from the data's frame into a fit's internal frame, or back (`inverse`). */
export function reframeComponents(p: GaussComponents, frame: Frame, d: number, inverse: boolean): GaussComponents {
  const s = inverse ? frame.scale : 1 / frame.scale;
  return {
    means: p.means.map((v, idx) => (inverse ? v * s + frame.centre[idx % d]! : (v - frame.centre[idx % d]!) * s)),
    covariances: p.covariances.map((v) => v * s * s),
    precisionsCholesky: p.precisionsCholesky.map((v) => v / s),
  };
}

/** The (n−1)-normalised covariance of a feature-major block, d×d (numpy `cov`). */
export function blockCovariance(ws: Workspace, x: DataBlock): Float64Array {
  const { n, d } = x;
  const v = ws.f64(x.xPtr, n * d);
  const mu = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) mu[j] += v[j * n + i]!;
    mu[j] /= n;
  }
  const out = new Float64Array(d * d);
  const denom = Math.max(n - 1, 1);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (v[a * n + i]! - mu[a]!) * (v[b * n + i]! - mu[b]!);
      out[a * d + b] = out[b * d + a] = s / denom;
    }
  }
  return out;
}
