import type { EmModel, Stats } from '../core/em.js';
import type { Rng } from '../core/rng.js';
import type { Workspace } from '../wasm/workspace.js';
import type { Emission } from './emission.js';
import { NK_FLOOR, type DataBlock } from './gaussian.js';
import { kmeansPlusPlus, kmeansSync, randomDistinct, toPanels } from './kmeans.js';
import { log } from '../core/fdlibm.js';

export interface MixtureParams<P> {
  weights: Float64Array;
  components: P;
}

export type MixtureInitMethod = 'kmeans' | 'k-means++' | 'random' | 'random_from_data';

export interface MixtureInitSpec<P> {
  method: MixtureInitMethod;
  /** Warm start, or fully explicit parameters: used as they are. */
  from?: MixtureParams<P> | undefined;
  /** Replaces the weights the method produced. */
  weights?: Float64Array | undefined;
  /** Replaces parts of the component parameters the method produced (meansInit, precisionsInit, …). */
  override?: ((p: P) => P) | undefined;
  /** Variance-scaled tolerance of the k-means initialiser. */
  kmeansTol: number;
}

/**
 * The mixture latent structure over any component family: E-step = component log-densities + log weights,
 * normalised by log-sum-exp into responsibilities; statistics = the family's weighted statistics; M-step =
 * weights from N_k (floored at 10·eps) and the family's M-step. Initialisation follows scikit-learn
 * (`_initialize_parameters`): responsibilities from the method, one M-step, then user overrides.
 */
export class MixtureEm<P> implements EmModel<MixtureParams<P>, DataBlock> {
  private readonly logpPtr: number;

  /**
   * `maxBlockRows`: the most rows an E-step chunk has. `initData`: the whole data set when the E-steps see it in
   * chunks (the initialisation methods need every row at once); by default the first chunk.
   */
  constructor(
    private readonly ws: Workspace,
    readonly emission: Emission<P>,
    private readonly spec: MixtureInitSpec<P>,
    maxBlockRows: number,
    private readonly initData?: DataBlock,
  ) {
    this.logpPtr = ws.alloc(emission.k * maxBlockRows);
  }

  get k(): number {
    return this.emission.k;
  }

  zeroStats(): Stats {
    return { values: new Float64Array(this.emission.statsLen), logLik: 0, weight: 0 };
  }

  /** log w_c + log p(x_i | c) into the k×n buffer; returns its pointer. */
  weightedLogProb(params: MixtureParams<P>, x: DataBlock): number {
    this.emission.logProb(params.components, x, this.logpPtr, params.weights.map(log));
    return this.logpPtr;
  }

  eStep(params: MixtureParams<P>, x: DataBlock, into: Stats): void {
    this.weightedLogProb(params, x);
    into.logLik += this.ws.k.logSumExpNormalize(this.logpPtr, x.n, this.k, x.swPtr, 0);
    this.emission.accumulate(x, this.logpPtr, into.values, 0);
    into.weight += x.weight;
  }

  mStep(stats: Stats): MixtureParams<P> {
    const nkf = this.emission.counts(stats.values, 0).map((v) => v + NK_FLOOR);
    let total = 0;
    for (let c = 0; c < this.k; c++) total += nkf[c]!;
    return { weights: nkf.map((v) => v / total), components: this.emission.mStep(stats.values, 0) };
  }

  init(data: readonly DataBlock[], rng: Rng): MixtureParams<P> {
    const { spec } = this;
    if (spec.from) return spec.from;
    const x = this.initData ?? data[0]!;
    const stats = this.zeroStats();
    this.ws.scope(() => this.emission.accumulate(x, this.initialResponsibilities(x, rng), stats.values, 0));
    const params = this.mStep(stats);
    // scikit-learn divides N_k by n here (not by Σ N_k): the two differ only for one-hot starts.
    params.weights = this.emission.counts(stats.values, 0).map((v) => (v + NK_FLOOR) / x.weight);
    if (spec.weights) params.weights = spec.weights;
    if (spec.override) params.components = spec.override(params.components);
    return params;
  }

  /** Responsibilities (k×n, times the sample weights) for the initialisation method. */
  private initialResponsibilities(x: DataBlock, rng: Rng): number {
    const { ws, k, spec } = this;
    const n = x.n;
    const respPtr = ws.zeros(k * n);
    const set = (c: number, i: number, v: number): void => {
      ws.f64(respPtr + (c * n + i) * 8, 1)[0] = v;
    };
    switch (spec.method) {
      case 'kmeans': {
        const { labels } = kmeansSync(ws, x, k, rng, spec.kmeansTol);
        const r = ws.f64(respPtr, k * n);
        for (let i = 0; i < n; i++) r[labels[i]! * n + i] = 1;
        break;
      }
      case 'k-means++':
        kmeansPlusPlus(ws, toPanels(ws, x), k, rng).indices.forEach((i, c) => set(c, i, 1));
        break;
      case 'random_from_data':
        randomDistinct(n, k, rng).forEach((i, c) => set(c, i, 1));
        break;
      case 'random': {
        const r = ws.f64(respPtr, k * n);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let c = 0; c < k; c++) s += r[c * n + i] = rng.random();
          for (let c = 0; c < k; c++) r[c * n + i] /= s;
        }
        break;
      }
    }
    if (x.swPtr) {
      const r = ws.f64(respPtr, k * n);
      const sw = ws.f64(x.swPtr, n);
      for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) r[c * n + i] *= sw[i]!;
    }
    return respPtr;
  }
}
