import { runEm, type IterationInfo, type MonotonicityViolation } from '../core/em.js';
import { ShapeError, ValidationError } from '../core/errors.js';
import { cholLowerInPlace } from '../core/linalg.js';
import { checkOptionNames, describe, intOption, numOption, toMatrix, toSampleWeight, type Matrix, type MatrixInput } from '../core/matrix.js';
import { Rng } from '../core/rng.js';
import { chunkRows, frameOf, meanVariance, uploadBlock, uploadChunks, IDENTITY_FRAME, type Frame } from '../parts/data.js';
import { COVARIANCE_TYPES, covarianceFamily, flattenShape, nest, type CovarianceFamily, type CovarianceType } from '../parts/gaussian.js';
import { GaussianEmission, reframeComponents, type GaussComponents } from '../parts/gaussian-emission.js';
import { MixtureEm, type MixtureInitMethod, type MixtureParams } from '../parts/mixture.js';
import { loadRuntime, loadedRuntime } from '../wasm/load.js';
import type { Workspace } from '../wasm/workspace.js';
import { log } from '../core/fdlibm.js';

export type { CovarianceType };

export interface GaussianMixtureOptions {
  /** Number of mixture components (default 1). */
  nComponents?: number;
  covarianceType?: CovarianceType;
  /** Stop when the mean log-likelihood changes by less than this (default 1e-3); 0 runs all `maxIter`. */
  tol?: number;
  /** Added to covariance diagonals in every M-step (default 1e-6). */
  regCovar?: number;
  maxIter?: number;
  nInit?: number;
  init?: MixtureInitMethod | GaussianMixture;
  weightsInit?: readonly number[];
  meansInit?: readonly (readonly number[])[];
  /** Precision matrices in scikit-learn's shapes: full K×D×D, tied D×D, diag K×D, spherical K. */
  precisionsInit?: unknown;
  /** Non-negative real weights per sample (integer weights = duplicated rows). */
  sampleWeight?: ArrayLike<number>;
  seed?: number;
  onIteration?: (info: IterationInfo) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export interface GaussianMixtureParams {
  covarianceType: CovarianceType;
  weights: readonly number[];
  means: readonly (readonly number[])[];
  covariances: unknown;
}

export interface GaussianMixtureJSON extends GaussianMixtureParams {
  kind: 'GaussianMixture';
  version: 1;
  converged: boolean;
  nIter: number;
  lowerBound: number;
  lowerBounds: number[];
}

const DEFAULTS = { nComponents: 1, covarianceType: 'full', tol: 1e-3, regCovar: 1e-6, maxIter: 100, nInit: 1, init: 'kmeans', seed: 0 } as const;
const OPTION_NAMES = [...Object.keys(DEFAULTS), 'weightsInit', 'meansInit', 'precisionsInit', 'sampleWeight', 'onIteration', 'onWarning', 'signal'];
const INIT_METHODS: readonly MixtureInitMethod[] = ['kmeans', 'k-means++', 'random', 'random_from_data'];
const LOG_2PI = log(2 * Math.PI);

interface FitInfo {
  converged: boolean;
  nIter: number;
  lowerBound: number;
  lowerBounds: number[];
  runLowerBounds: number[];
  monotonicityViolations: MonotonicityViolation[];
}

function deepFreeze<T>(v: T): T {
  if (Array.isArray(v)) {
    v.forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
}

type GaussParams = MixtureParams<GaussComponents>;

/** Parameters moved from the original frame into a fit's internal frame, or back (`inverse`). */
function reframe(p: GaussParams, frame: Frame, d: number, inverse: boolean): GaussParams {
  return { weights: p.weights.slice(), components: reframeComponents(p.components, frame, d, inverse) };
}

/**
 * A Gaussian mixture fitted by EM, following scikit-learn 1.2's `GaussianMixture` to the letter.
 *
 * @example
 * const gm = await GaussianMixture.fit([[0, 0], [0.1, 0.2], [5, 5], [5.2, 4.9]], { nComponents: 2 });
 * gm.predict([[0, 0.1], [5, 5]]); // Int32Array [a, b] with a ≠ b
 */
export class GaussianMixture {
  readonly covarianceType: CovarianceType;
  readonly nComponents: number;
  readonly nFeatures: number;
  readonly weights: readonly number[];
  readonly means: readonly (readonly number[])[];
  /** Compact shape for the type: full K×D×D, tied D×D, diag K×D, spherical K. */
  readonly covariances: unknown;
  readonly precisions: unknown;
  readonly precisionsCholesky: unknown;
  readonly converged: boolean;
  readonly nIter: number;
  /** Mean per-sample log-likelihood at the last E-step of the best run. */
  readonly lowerBound: number;
  readonly lowerBounds: readonly number[];
  /** The final bound of every restart. */
  readonly runLowerBounds: readonly number[];
  /** Decreases of the log-likelihood beyond round-off during the fit (empty when all is well). */
  readonly monotonicityViolations: readonly MonotonicityViolation[];

  /** @internal flat parameters in the data's own frame. */
  private readonly p: GaussParams;
  private readonly family: CovarianceFamily;

  private constructor(family: CovarianceFamily, d: number, p: GaussParams, info: FitInfo) {
    const k = p.weights.length;
    this.family = family;
    this.covarianceType = family.type;
    this.nComponents = k;
    this.nFeatures = d;
    this.p = p;
    const shape = family.shape(k, d);
    this.weights = deepFreeze(Array.from(p.weights));
    this.means = deepFreeze(nest(p.components.means, [k, d]) as number[][]);
    this.covariances = deepFreeze(nest(p.components.covariances, shape));
    this.precisions = deepFreeze(nest(family.precisions(p.components.precisionsCholesky, k, d), shape));
    this.precisionsCholesky = deepFreeze(nest(p.components.precisionsCholesky, shape));
    this.converged = info.converged;
    this.nIter = info.nIter;
    this.lowerBound = info.lowerBound;
    this.lowerBounds = deepFreeze(info.lowerBounds.slice());
    this.runLowerBounds = deepFreeze(info.runLowerBounds.slice());
    this.monotonicityViolations = deepFreeze(info.monotonicityViolations.slice());
    Object.freeze(this);
  }

  /** Fits a mixture by EM (scikit-learn semantics for every option). Resolves to an immutable model. */
  static async fit(X: MatrixInput, options: GaussianMixtureOptions = {}): Promise<GaussianMixture> {
    if (typeof options !== 'object' || options === null) throw new ValidationError(`options must be an object, got ${describe(options)}`);
    checkOptionNames(options, OPTION_NAMES, 'GaussianMixture.fit');
    const m = toMatrix(X);
    const o = { ...DEFAULTS, ...options };
    const family = covarianceFamily(o.covarianceType);
    const k = intOption(o.nComponents, 'nComponents', 1);
    const maxIter = intOption(o.maxIter, 'maxIter', 0);
    let nInit = intOption(o.nInit, 'nInit', 1);
    const tol = numOption(o.tol, 'tol');
    const regCovar = numOption(o.regCovar, 'regCovar');
    const seed = intOption(o.seed, 'seed', 0);
    const { rows: n, cols: d } = m;
    if (n < k) throw new ShapeError(`nComponents (${k}) must not exceed the number of samples, got ${n} samples`);
    const sw = toSampleWeight(o.sampleWeight, n);
    const warm = o.init instanceof GaussianMixture ? o.init : undefined;
    if (!warm && !INIT_METHODS.includes(o.init as MixtureInitMethod)) {
      throw new ValidationError(`init must be one of ${INIT_METHODS.join(', ')} or a fitted GaussianMixture, got ${describe(o.init)}`);
    }
    if (warm) {
      if (warm.nComponents !== k || warm.nFeatures !== d || warm.covarianceType !== family.type) {
        throw new ShapeError(
          `init model must have ${k} components, ${d} features and '${family.type}' covariances, got ${warm.nComponents}, ${warm.nFeatures} and '${warm.covarianceType}'`,
        );
      }
      nInit = 1;
    }
    const weightsInit = o.weightsInit === undefined ? undefined : checkWeights(flattenShape(o.weightsInit, [k], 'weightsInit'));
    const meansInit = o.meansInit === undefined ? undefined : flattenShape(o.meansInit, [k, d], 'meansInit');
    const precInit = o.precisionsInit === undefined ? undefined : family.fromPrecisions(flattenShape(o.precisionsInit, family.shape(k, d), 'precisionsInit'), k, d);
    if (o.onIteration !== undefined && typeof o.onIteration !== 'function') throw new ValidationError(`onIteration must be a function, got ${describe(o.onIteration)}`);

    const rt = await loadRuntime();
    const ws = await rt.acquire();
    try {
      const frame = frameOf(m, sw);
      const block = uploadBlock(ws, m, frame, sw);
      // E-steps run over cache-sized chunks; the initialisation sees the whole block.
      const rows = chunkRows(k, d);
      const chunks = n > rows ? uploadChunks(ws, m, frame, sw, rows) : [block];
      const inFrame = (means: Float64Array, pc: Float64Array, cov: Float64Array): GaussComponents =>
        reframeComponents({ means, precisionsCholesky: pc, covariances: cov }, frame, d, false);
      const override = (p: GaussComponents): GaussComponents =>
        inFrame(
          meansInit ?? reframeComponents(p, frame, d, true).means,
          precInit?.pc ?? reframeComponents(p, frame, d, true).precisionsCholesky,
          precInit?.cov ?? reframeComponents(p, frame, d, true).covariances,
        );
      const explicit = weightsInit && meansInit && precInit && { weights: weightsInit, components: inFrame(meansInit, precInit.pc, precInit.cov) };
      const emission = new GaussianEmission(ws, family, k, d, regCovar / (frame.scale * frame.scale));
      const model = new MixtureEm(ws, emission, {
        method: warm ? 'kmeans' : (o.init as MixtureInitMethod),
        from: warm ? reframe(warm.p, frame, d, false) : explicit,
        weights: weightsInit,
        override: meansInit || precInit ? override : undefined,
        kmeansTol: 1e-4 * meanVariance(m, frame),
      }, Math.min(n, rows), block);
      const shift = -d * log(frame.scale);
      const result = await runEm(model, chunks, {
        maxIter,
        tol,
        nInit,
        seed,
        onIteration: o.onIteration && ((info) => o.onIteration!({ ...info, lowerBound: info.lowerBound + shift })),
        onWarning: o.onWarning,
        signal: o.signal,
        startBound: warm ? warm.lowerBound - shift : undefined,
      }, new Rng(seed));
      const params = reframe(result.params, frame, d, true);
      return new GaussianMixture(family, d, params, {
        converged: result.converged,
        nIter: result.nIter,
        lowerBound: result.lowerBound + shift,
        lowerBounds: result.lowerBounds.map((v) => v + shift),
        runLowerBounds: result.runLowerBounds.map((v) => v + shift),
        monotonicityViolations: result.monotonicityViolations,
      });
    } finally {
      rt.release(ws);
    }
  }

  /** A model from explicit parameters: `{ covarianceType, weights, means, covariances }` (compact shapes). */
  static async fromParams(params: GaussianMixtureParams): Promise<GaussianMixture> {
    if (typeof params !== 'object' || params === null) throw new ValidationError(`params must be an object, got ${describe(params)}`);
    const family = covarianceFamily(params.covarianceType ?? 'full');
    if (!Array.isArray(params.means) || !Array.isArray(params.means[0])) throw new ShapeError(`means must be K×D, got ${describe(params.means)}`);
    const k = params.means.length;
    const d = params.means[0]!.length;
    const weights = checkWeights(flattenShape(params.weights, [k], 'weights'));
    const means = flattenShape(params.means, [k, d], 'means');
    const covariances = flattenShape(params.covariances, family.shape(k, d), 'covariances');
    const rt = await loadRuntime();
    const precisionsCholesky = family.precisionsCholesky(rt.sync, covariances, k, d);
    return new GaussianMixture(family, d, { weights, components: { means, covariances, precisionsCholesky } }, {
      converged: false, nIter: 0, lowerBound: -Infinity, lowerBounds: [], runLowerBounds: [], monotonicityViolations: [],
    });
  }

  /** Restores a model saved with `toJSON`. */
  static async fromJSON(json: unknown): Promise<GaussianMixture> {
    const j = (typeof json === 'string' ? parseJson(json) : json) as Partial<GaussianMixtureJSON> | null;
    if (typeof j !== 'object' || j === null || j.kind !== 'GaussianMixture' || j.version !== 1) {
      throw new ValidationError(`fromJSON expects the output of GaussianMixture.toJSON (kind 'GaussianMixture', version 1), got ${describe(j)}`);
    }
    const base = await GaussianMixture.fromParams(j as GaussianMixtureParams);
    const num = (v: unknown, name: string): number => {
      if (typeof v !== 'number' && v !== null) throw new ValidationError(`${name} must be a number, got ${describe(v)}`);
      return v === null ? -Infinity : v;
    };
    return new GaussianMixture(base.family, base.nFeatures, base.p, {
      converged: j.converged === true,
      nIter: num(j.nIter ?? 0, 'nIter'),
      lowerBound: num(j.lowerBound ?? null, 'lowerBound'),
      lowerBounds: Array.isArray(j.lowerBounds) ? j.lowerBounds.map((v, i) => num(v, `lowerBounds[${i}]`)) : [],
      runLowerBounds: [],
      monotonicityViolations: [],
    });
  }

  toJSON(): GaussianMixtureJSON {
    return {
      kind: 'GaussianMixture',
      version: 1,
      covarianceType: this.covarianceType,
      weights: this.weights,
      means: this.means,
      covariances: this.covariances,
      converged: this.converged,
      nIter: this.nIter,
      lowerBound: this.lowerBound,
      lowerBounds: this.lowerBounds.slice(),
    };
  }

  /** Log of the weighted densities, k×n component-major, for each row of X; `fn` reads it in place. */
  private withLogProb<T>(X: MatrixInput, fn: (ws: Workspace, logpPtr: number, n: number) => T): T {
    const m = toMatrix(X);
    if (m.cols !== this.nFeatures) throw new ShapeError(`X must have ${this.nFeatures} features (as in fit), got ${m.cols}`);
    const ws = loadedRuntime().sync;
    return ws.scope(() => {
      const block = uploadBlock(ws, m, IDENTITY_FRAME(m.cols), undefined);
      const emission = new GaussianEmission(ws, this.family, this.nComponents, this.nFeatures, 0);
      const em = new MixtureEm(ws, emission, { method: 'kmeans', kmeansTol: 0 }, m.rows);
      return fn(ws, em.weightedLogProb(this.p, block), m.rows);
    });
  }

  /** log p(x_i) per sample. */
  scoreSamples(X: MatrixInput): Float64Array {
    return this.withLogProb(X, (ws, ptr, n) => {
      const lsePtr = ws.alloc(n);
      ws.k.logSumExpNormalize(ptr, n, this.nComponents, 0, lsePtr);
      return ws.f64(lsePtr, n).slice();
    });
  }

  /** Mean per-sample log-likelihood. */
  score(X: MatrixInput): number {
    const s = this.scoreSamples(X);
    let t = 0;
    for (let i = 0; i < s.length; i++) t += s[i]!;
    return t / s.length;
  }

  /** Posterior probability of each component per sample (rows = samples). */
  predictProba(X: MatrixInput): Matrix {
    const k = this.nComponents;
    return this.withLogProb(X, (ws, ptr, n) => {
      ws.k.logSumExpNormalize(ptr, n, k, 0, 0);
      const r = ws.f64(ptr, k * n);
      const data = new Float64Array(n * k);
      for (let c = 0; c < k; c++) for (let i = 0; i < n; i++) data[i * k + c] = r[c * n + i]!;
      return { data, rows: n, cols: k };
    });
  }

  /** The most probable component per sample. */
  predict(X: MatrixInput): Int32Array {
    const k = this.nComponents;
    return this.withLogProb(X, (ws, ptr, n) => {
      const lp = ws.f64(ptr, k * n);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let c = 1; c < k; c++) if (lp[c * n + i]! > lp[best * n + i]!) best = c;
        out[i] = best;
      }
      return out;
    });
  }

  /** Free parameters (scikit-learn `_n_parameters`). */
  nParameters(): number {
    const k = this.nComponents;
    const d = this.nFeatures;
    return this.family.nParameters(k, d) + k * d + k - 1;
  }

  /** Bayesian information criterion: −2·ℓ + p·log n (lower is better). */
  bic(X: MatrixInput): number {
    const n = toMatrix(X).rows;
    return -2 * this.score(X) * n + this.nParameters() * log(n);
  }

  /** Akaike information criterion: −2·ℓ + 2p. */
  aic(X: MatrixInput): number {
    const n = toMatrix(X).rows;
    return -2 * this.score(X) * n + 2 * this.nParameters();
  }

  /** n samples from the mixture, grouped by component (as scikit-learn), with their component labels. */
  sample(n: number, options: { seed?: number } = {}): { X: Matrix; labels: Int32Array } {
    intOption(n, 'n', 1);
    const rng = new Rng(options.seed ?? 0);
    const k = this.nComponents;
    const d = this.nFeatures;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) counts[rng.categorical(this.p.weights)]!++;
    const data = new Float64Array(n * d);
    const labels = new Int32Array(n);
    const z = new Float64Array(d);
    let row = 0;
    for (let c = 0; c < k; c++) {
      const l = this.family.fullCovariance(this.p.components.covariances, c, d);
      cholLowerInPlace(l, d);
      for (let t = 0; t < counts[c]!; t++, row++) {
        for (let j = 0; j < d; j++) z[j] = rng.normal();
        for (let a = 0; a < d; a++) {
          let s = this.p.components.means[c * d + a]!;
          for (let b = 0; b <= a; b++) s += l[a * d + b]! * z[b]!;
          data[row * d + a] = s;
        }
        labels[row] = c;
      }
    }
    return { X: { data, rows: n, cols: d }, labels };
  }
}

function checkWeights(w: Float64Array): Float64Array {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    if (!(w[i]! >= 0)) throw new ValidationError(`weights must be non-negative, got ${w[i]} at ${i}`);
    s += w[i]!;
  }
  if (Math.abs(s - 1) > 1e-6) throw new ValidationError(`weights must sum to 1, got ${s}`);
  return w;
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch (e) {
    throw new ValidationError(`fromJSON: malformed JSON (${(e as Error).message})`);
  }
}

export { COVARIANCE_TYPES, LOG_2PI };
