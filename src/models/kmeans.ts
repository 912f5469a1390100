import { runEm, type IterationInfo } from '../core/em.js';
import { ShapeError, ValidationError } from '../core/errors.js';
import { checkOptionNames, describe, intOption, numOption, toMatrix, toSampleWeight, type MatrixInput } from '../core/matrix.js';
import { Rng } from '../core/rng.js';
import { frameOf, meanVariance } from '../parts/data.js';
import { flattenShape, nest } from '../parts/gaussian.js';
import { HardAssignmentEm, kmBlock, kmeansAssignWork, uploadPanels, type KMeansInit } from '../parts/kmeans.js';
import { loadRuntime, loadedRuntime } from '../wasm/load.js';

export interface KMeansOptions {
  /** Number of clusters (default 8, as scikit-learn). */
  nClusters?: number;
  /** 'k-means++' (greedy, default), 'random' (distinct samples), or explicit k×d centres. */
  init?: 'k-means++' | 'random' | readonly (readonly number[])[];
  /** Restarts (default 10; 1 with explicit centres); the lowest inertia wins. */
  nInit?: number;
  maxIter?: number;
  /** Stop when Σ‖Δcentre‖² ≤ tol × mean feature variance (default 1e-4); 0 runs all `maxIter`. */
  tol?: number;
  sampleWeight?: ArrayLike<number>;
  seed?: number;
  onIteration?: (info: IterationInfo) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface KMeansJSON {
  kind: 'KMeans';
  version: 1;
  clusterCenters: number[][];
  inertia: number;
  nIter: number;
}

const DEFAULTS = { nClusters: 8, init: 'k-means++', maxIter: 300, tol: 1e-4, seed: 0 } as const;
const OPTION_NAMES = [...Object.keys(DEFAULTS), 'nInit', 'sampleWeight', 'onIteration', 'onWarning', 'signal'];

/**
 * K-means by Lloyd's algorithm (hard-assignment EM) on the wasm kernels, scikit-learn semantics.
 *
 * @example
 * const km = await KMeans.fit([[0, 0], [0, 1], [9, 9], [9, 8]], { nClusters: 2 });
 * km.predict([[0, 0.5]]); // the cluster of the first two points
 */
export class KMeans {
  readonly nClusters: number;
  readonly nFeatures: number;
  readonly clusterCenters: readonly (readonly number[])[];
  /** The cluster of each training sample. */
  readonly labels: Int32Array;
  /** Σ_i w_i·‖x_i − centre(x_i)‖² over the training data. */
  readonly inertia: number;
  readonly nIter: number;
  private readonly centers: Float64Array;

  private constructor(centers: Float64Array, k: number, d: number, labels: Int32Array, inertia: number, nIter: number) {
    this.nClusters = k;
    this.nFeatures = d;
    this.centers = centers;
    this.clusterCenters = Object.freeze((nest(centers, [k, d]) as number[][]).map((r) => Object.freeze(r)));
    this.labels = labels;
    this.inertia = inertia;
    this.nIter = nIter;
    Object.freeze(this);
  }

  static async fit(X: MatrixInput, options: KMeansOptions = {}): Promise<KMeans> {
    if (typeof options !== 'object' || options === null) throw new ValidationError(`options must be an object, got ${describe(options)}`);
    checkOptionNames(options, OPTION_NAMES, 'KMeans.fit');
    const m = toMatrix(X);
    const o = { ...DEFAULTS, ...options };
    const k = intOption(o.nClusters, 'nClusters', 1);
    const { rows: n, cols: d } = m;
    if (n < k) throw new ShapeError(`nClusters (${k}) must not exceed the number of samples, got ${n} samples`);
    const explicit = Array.isArray(o.init) ? flattenShape(o.init, [k, d], 'init') : undefined;
    if (!explicit && o.init !== 'k-means++' && o.init !== 'random') {
      throw new ValidationError(`init must be 'k-means++', 'random' or ${k}×${d} centres, got ${describe(o.init)}`);
    }
    const nInit = intOption(o.nInit ?? (explicit ? 1 : 10), 'nInit', 1);
    const maxIter = intOption(o.maxIter, 'maxIter', 1);
    const tol = numOption(o.tol, 'tol');
    const seed = intOption(o.seed, 'seed', 0);
    const sw = toSampleWeight(o.sampleWeight, n);

    const rt = await loadRuntime();
    const ws = await rt.acquire();
    try {
      const frame = frameOf(m, sw);
      const block = kmBlock(ws, uploadPanels(ws, m, frame, sw));
      const s = frame.scale;
      const init: KMeansInit = explicit ? explicit.map((v, p) => (v - frame.centre[p % d]!) / s) : (o.init as 'k-means++' | 'random');
      const model = new HardAssignmentEm(ws, k, d, init, tol * meanVariance(m, frame));
      const result = await runEm(model, [block], {
        maxIter,
        tol,
        nInit,
        seed,
        onIteration: o.onIteration && ((info) => o.onIteration!({ ...info, lowerBound: info.lowerBound * s * s })),
        onWarning: o.onWarning,
        signal: o.signal,
      }, new Rng(seed));
      // The driver's final E-step assigned every sample to the winning centres.
      const labels = ws.i32(block.labelsPtr, n).slice();
      const inertia = -result.finalStats.logLik * s * s;
      const centers = result.params.centers.map((v, p) => v * s + frame.centre[p % d]!);
      return new KMeans(centers, k, d, labels, inertia, result.nIter);
    } finally {
      rt.release(ws);
    }
  }

  /** The nearest centre of each row. */
  predict(X: MatrixInput): Int32Array {
    const m = toMatrix(X);
    if (m.cols !== this.nFeatures) throw new ShapeError(`X must have ${this.nFeatures} features (as in fit), got ${m.cols}`);
    const ws = loadedRuntime().sync;
    const { nClusters: k, nFeatures: d } = this;
    return ws.scope(() => {
      // Centred and scaled like fit data, so the assignment's ‖x‖² − 2x·c + ‖c‖² expansion does not cancel.
      const frame = frameOf(m, undefined);
      const x = uploadPanels(ws, m, frame, undefined);
      const labelsPtr = ws.alloc(Math.ceil(m.rows / 2));
      const cPtr = ws.put(this.centers.map((v, p) => (v - frame.centre[p % d]!) / frame.scale));
      const workPtr = ws.alloc(kmeansAssignWork(k, d));
      ws.k.kmeansAssign(x.panelPtr, x.n, d, cPtr, k, labelsPtr, 0, 0, 0, 0, 0, workPtr);
      return ws.i32(labelsPtr, m.rows).slice();
    });
  }

  /** A model from explicit centres (labels empty, inertia NaN until refitted). */
  static async fromParams(params: { clusterCenters: readonly (readonly number[])[] }): Promise<KMeans> {
    const c = params?.clusterCenters;
    if (!Array.isArray(c) || !Array.isArray(c[0])) throw new ShapeError(`clusterCenters must be k×d, got ${describe(c)}`);
    const k = c.length;
    const d = c[0]!.length;
    await loadRuntime();
    return new KMeans(flattenShape(c, [k, d], 'clusterCenters'), k, d, new Int32Array(0), NaN, 0);
  }

  static async fromJSON(json: unknown): Promise<KMeans> {
    let j = json as Partial<KMeansJSON> | null;
    if (typeof json === 'string') {
      try {
        j = JSON.parse(json);
      } catch (e) {
        throw new ValidationError(`fromJSON: malformed JSON (${(e as Error).message})`);
      }
    }
    if (typeof j !== 'object' || j === null || j.kind !== 'KMeans' || j.version !== 1) {
      throw new ValidationError(`fromJSON expects the output of KMeans.toJSON (kind 'KMeans', version 1), got ${describe(j)}`);
    }
    const base = await KMeans.fromParams({ clusterCenters: j.clusterCenters! });
    return new KMeans(base.centers, base.nClusters, base.nFeatures, new Int32Array(0), Number(j.inertia), Number(j.nIter ?? 0));
  }

  toJSON(): KMeansJSON {
    return { kind: 'KMeans', version: 1, clusterCenters: this.clusterCenters.map((r) => r.slice()), inertia: this.inertia, nIter: this.nIter };
  }
}
