import type { Workspace } from '../wasm/workspace.js';
import type { Emission } from './emission.js';
import { NK_FLOOR, type CovarianceFamily, type DataBlock } from './gaussian.js';
import { GaussianEmission, type GaussComponents } from './gaussian-emission.js';
import { log } from '../core/fdlibm.js';

/** Each state's emission is a mixture of `m` Gaussians: weights k×m and k·m Gaussian components. */
export interface GmmComponents {
  weights: Float64Array; // k×m, rows sum to 1
  gauss: GaussComponents; // k·m components, state-major
}

/**
 * Gaussian-mixture emissions (GMMHMM): the k·m Gaussians run on the Gaussian family's kernels; per state a
 * log-sum-exp over its m components gives log p(x | state) and the within-state responsibilities, which the
 * statistics weight by the state posteriors.
 */
export class GmmEmission implements Emission<GmmComponents> {
  readonly statsLen: number;
  readonly groups = ['weights', 'means', 'covars'] as const;
  readonly inner: GaussianEmission;
  private readonly respPtr: number;
  private lastBlock: DataBlock | undefined;

  constructor(
    private readonly ws: Workspace,
    family: CovarianceFamily,
    readonly k: number,
    readonly m: number,
    d: number,
    regCovar: number,
    maxT: number,
  ) {
    this.inner = new GaussianEmission(ws, family, k * m, d, regCovar);
    this.statsLen = this.inner.statsLen;
    this.respPtr = ws.alloc(k * m * maxT);
  }

  logProb(p: GmmComponents, x: DataBlock, outPtr: number, shift?: Float64Array): void {
    const { ws, k, m } = this;
    const n = x.n;
    this.inner.logProb(p.gauss, x, this.respPtr, p.weights.map(log));
    for (let s = 0; s < k; s++) {
      ws.k.logSumExpNormalize(this.respPtr + s * m * n * 8, n, m, 0, outPtr + s * n * 8);
    }
    if (shift) {
      const out = ws.f64(outPtr, k * n);
      for (let s = 0; s < k; s++) for (let i = 0; i < n; i++) out[s * n + i] += shift[s]!;
    }
    this.lastBlock = x;
  }

  accumulate(x: DataBlock, rPtr: number, values: Float64Array, off: number): void {
    if (this.lastBlock !== x) throw new Error('GmmEmission.accumulate must follow logProb on the same block');
    const { ws, k, m } = this;
    const n = x.n;
    const r = ws.f64(rPtr, k * n);
    const joint = ws.f64(this.respPtr, k * m * n);
    for (let s = 0; s < k; s++) {
      for (let c = 0; c < m; c++) {
        const o = (s * m + c) * n;
        for (let i = 0; i < n; i++) joint[o + i] *= r[s * n + i]!;
      }
    }
    this.inner.accumulate(x, this.respPtr, values, off);
  }

  counts(values: Float64Array, off: number): Float64Array {
    const all = this.inner.counts(values, off);
    const out = new Float64Array(this.k);
    for (let s = 0; s < this.k; s++) for (let c = 0; c < this.m; c++) out[s] += all[s * this.m + c]!;
    return out;
  }

  mStep(values: Float64Array, off: number, prev?: GmmComponents, update?: ReadonlySet<string>): GmmComponents {
    const { k, m } = this;
    const gauss = this.inner.mStep(values, off, prev?.gauss, update);
    if (prev && update && !update.has('weights')) return { weights: prev.weights, gauss };
    const nk = this.inner.counts(values, off).map((v) => v + NK_FLOOR);
    const weights = new Float64Array(k * m);
    for (let s = 0; s < k; s++) {
      let t = 0;
      for (let c = 0; c < m; c++) t += nk[s * m + c]!;
      for (let c = 0; c < m; c++) weights[s * m + c] = nk[s * m + c]! / t;
    }
    return { weights, gauss };
  }

  nParameters(): number {
    return this.inner.nParameters() + this.k * (this.m - 1);
  }
}
