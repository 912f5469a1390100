import { runEmSync, type EmModel, type Stats } from '../core/em.js';
import type { Rng } from '../core/rng.js';
import type { Workspace } from '../wasm/workspace.js';
import { NK_FLOOR, type CovarianceFamily, type DataBlock, type GaussStatsView } from './gaussian.js';
import { HardAssignmentEm, kmBlock, kmeansPlusPlus, randomDistinct } from './kmeans.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Gaussian mixture parameters in the fit's internal frame (flat, compact covariance shapes). */
export interface GaussParams {
  weights: Float64Array; // k
  means: Float64Array; // k×d
  covariances: Float64Array; // family.size(k, d)
  precisionsCholesky: Float64Array; // family.size(k, d)
}

export type GaussInitMethod = 'kmeans' | 'k-means++' | 'random' | 'random_from_data';

export interface GaussInitSpec {
  method: GaussInitMethod;
  /** Warm start: the parameters to start from (already in this fit's frame). */
  from?: GaussParams | undefined;
  weights?: Float64Array | undefined;
  means?: Float64Array | undefined;
  /** From precisionsInit, already converted and in this fit's frame. */
  precisions?: { pc: Float64Array; cov: Float64Array } | undefined;
  /** Variance-scaled k-means tolerance for the kmeans initialiser. */
  kmeansTol: number;
}

/** Statistics layout: [N_k (k) | Σ r·x (k×d) | second moments (k×m)]. */
export function statsView(values: Float64Array, k: number, d: number, m: number): GaussStatsView {
  return {
    nk: values.subarray(0, k),
    s1: values.subarray(k, k + k * d),
    s2: values.subarray(k + k * d, k + k * d + k * m),
  };
}

/**
 * A mixture latent structure over a Gaussian covariance family: E-step = log-densities (family kernel) +
 * log-sum-exp normalisation; statistics = responsibility-weighted moments; M-step = scikit-learn's
 * `_estimate_gaussian_parameters`. Buffers are allocated once, at construction.
 */
export class GaussianMixtureEm implements EmModel<GaussParams, DataBlock> {
  readonly m: number;
  private readonly logpPtr: number;
  private readonly meanPtr: number;
  private readonly kpPtr: number;
  private readonly statsPtr: number;
  private readonly workPtr: number;
  private readonly statsLen: number;

  constructor(
    private readonly ws: Workspace,
    readonly family: CovarianceFamily,
    readonly k: number,
    readonly d: number,
    readonly regCovar: number,
    private readonly spec: GaussInitSpec,
    maxBlockRows: number,
  ) {
    this.m = family.momentSize(d);
    this.statsLen = k + k * d + k * this.m;
    this.logpPtr = ws.alloc(k * maxBlockRows);
    this.meanPtr = ws.alloc(k * d);
    this.kpPtr = ws.alloc(Math.max(k * d, family.size(k, d)));
    this.statsPtr = ws.alloc(this.statsLen);
    this.workPtr = ws.alloc(Math.max(16, family.workSize(d)));
  }

  zeroStats(): Stats {
    return { values: new Float64Array(this.statsLen), logLik: 0, weight: 0 };
  }

  /** Writes the weighted log-densities log w_c + log N(x_i | μ_c, Σ_c) into the k×n buffer. */
  weightedLogProb(params: GaussParams, x: DataBlock): number {
    const { ws, family, k, d } = this;
    ws.f64(this.meanPtr, k * d).set(params.means);
    const kp = family.kernelParams(params.precisionsCholesky, k, d);
    ws.f64(this.kpPtr, kp.length).set(kp);
    const logDet = family.logDet(params.precisionsCholesky, k, d);
    for (let c = 0; c < k; c++) {
      const cst = Math.log(params.weights[c]!) - 0.5 * d * LOG_2PI + logDet[c]!;
      family.logProb(ws, x, this.meanPtr, this.kpPtr, c, cst, this.logpPtr + c * x.n * 8, this.workPtr);
    }
    return this.logpPtr;
  }

  eStep(params: GaussParams, x: DataBlock, into: Stats): void {
    this.weightedLogProb(params, x);
    into.logLik += this.ws.k.logSumExpNormalize(this.logpPtr, x.n, this.k, x.swPtr, 0);
    this.accumulate(x, this.logpPtr, into);
  }

  /** Adds the statistics of weighted responsibilities r (k×n at respPtr) into `into`. */
  accumulate(x: DataBlock, respPtr: number, into: Stats): void {
    const { ws, family, k, d, m } = this;
    ws.f64(this.statsPtr, this.statsLen).fill(0);
    const s1Ptr = this.statsPtr + k * 8;
    const s2Ptr = s1Ptr + k * d * 8;
    const nk = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      nk[c] = family.accumulate(ws, x, respPtr + c * x.n * 8, s1Ptr + c * d * 8, s2Ptr + c * m * 8, this.workPtr);
    }
    const st = ws.f64(this.statsPtr, this.statsLen);
    st.set(nk);
    const v = into.values;
    for (let p = 0; p < this.statsLen; p++) v[p] += st[p]!;
    into.weight += x.weight;
  }

  mStep(stats: Stats): GaussParams {
    const { family, k, d, m } = this;
    const st = statsView(stats.values, k, d, m);
    const nkf = st.nk.map((v) => v + NK_FLOOR);
    const means = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) means[c * d + j] = st.s1[c * d + j]! / nkf[c]!;
    const covariances = family.covariances(st, means, nkf, k, d, this.regCovar);
    const precisionsCholesky = family.precisionsCholesky(this.ws, covariances, k, d);
    let total = 0;
    for (let c = 0; c < k; c++) total += nkf[c]!;
    return { weights: nkf.map((v) => v / total), means, covariances, precisionsCholesky };
  }

  /** scikit-learn `_initialize_parameters` + `_initialize`: responsibilities, one M-step, then user overrides. */
  init(data: readonly DataBlock[], rng: Rng): GaussParams {
    const { spec, k, d } = this;
    if (spec.from) return spec.from;
    const x = data[0]!;
    let params: GaussParams;
    if (spec.weights && spec.means && spec.precisions) {
      params = { weights: spec.weights, means: spec.means, covariances: spec.precisions.cov, precisionsCholesky: spec.precisions.pc };
    } else {
      const stats = this.zeroStats();
      this.ws.scope(() => {
        const respPtr = this.initialResponsibilities(x, rng);
        this.accumulate(x, respPtr, stats);
      });
      params = this.mStep(stats);
      // scikit-learn divides N_k by n here (not by Σ N_k): the sums differ only for one-hot inits.
      const nk = stats.values.subarray(0, k);
      params.weights = nk.map((v) => (v + NK_FLOOR) / x.weight);
    }
    if (spec.weights) params.weights = spec.weights;
    if (spec.means) params.means = spec.means;
    if (spec.precisions) {
      params.covariances = spec.precisions.cov;
      params.precisionsCholesky = spec.precisions.pc;
    }
    void d;
    return params;
  }

  /** Responsibilities (k×n, times the sample weights) for the initialisation method. */
  private initialResponsibilities(x: DataBlock, rng: Rng): number {
    const { ws, k, spec } = this;
    const n = x.n;
    let onehot: Int32Array | undefined;
    let rows: number[] | undefined;
    let resp: Float64Array | undefined;
    switch (spec.method) {
      case 'kmeans': {
        const block = kmBlock(ws, x);
        const km = new HardAssignmentEm(ws, k, x.d, 'k-means++', spec.kmeansTol);
        runEmSync(km, [block], { maxIter: 300, tol: spec.kmeansTol, nInit: 1, seed: 0 }, rng);
        onehot = ws.i32(block.labelsPtr, n).slice();
        break;
      }
      case 'k-means++':
        rows = kmeansPlusPlus(ws, x, k, rng).indices;
        break;
      case 'random_from_data':
        rows = randomDistinct(n, k, rng);
        break;
      case 'random': {
        resp = new Float64Array(k * n);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let c = 0; c < k; c++) s += resp[c * n + i] = rng.random();
          for (let c = 0; c < k; c++) resp[c * n + i] /= s;
        }
        break;
      }
    }
    const respPtr = ws.zeros(k * n);
    const r = ws.f64(respPtr, k * n);
    if (resp) r.set(resp);
    if (onehot) for (let i = 0; i < n; i++) r[onehot[i]! * n + i] = 1;
    if (rows) rows.forEach((i, c) => (r[c * n + i] = 1));
    if (x.swPtr) {
      const sw = ws.f64(x.swPtr, n);
      for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) r[c * n + i] *= sw[i]!;
    }
    return respPtr;
  }
}
