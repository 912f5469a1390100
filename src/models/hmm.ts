import { ShapeError, ValidationError } from '../core/errors.js';
import { cholLowerInPlace } from '../core/linalg.js';
import { describe, intOption, numOption, toMatrix, type Matrix, type MatrixInput } from '../core/matrix.js';
import type { Rng } from '../core/rng.js';
import { frameOf, type Frame } from '../parts/data.js';
import { CategoricalEmission, PoissonEmission } from '../parts/discrete-emission.js';
import { covarianceFamily, flattenShape, nest, type CovarianceFamily, type CovarianceType, type DataBlock } from '../parts/gaussian.js';
import { blockCovariance, GaussianEmission, reframeComponents, type GaussComponents } from '../parts/gaussian-emission.js';
import { GmmEmission, type GmmComponents } from '../parts/gmm-emission.js';
import { kmeansSync } from '../parts/kmeans.js';
import { loadRuntime } from '../wasm/load.js';
import type { Workspace } from '../wasm/workspace.js';
import { HiddenMarkovModel, probabilityRows, readJson, type HmmFamily, type HmmFitInfo, type HmmOptions } from './hmm-core.js';
import { exp } from '../core/fdlibm.js';

const IDENTITY = (d: number): Frame => ({ centre: new Float64Array(d), scale: 1 });
const NO_FIT: HmmFitInfo = { converged: false, nIter: 0, lowerBounds: [], runLowerBounds: [], monotonicityViolations: [] };

function chainFromParams(params: { startProb?: unknown; transMat?: unknown }): { startProb: Float64Array; transMat: Float64Array; k: number } {
  if (!Array.isArray(params.startProb)) throw new ShapeError(`startProb must be an array of K probabilities, got ${describe(params.startProb)}`);
  const k = params.startProb.length;
  return { startProb: probabilityRows(params.startProb, 0, k, 'startProb'), transMat: probabilityRows(params.transMat, k, k, 'transMat'), k };
}

/** Draws x = μ + L·z for a Gaussian component; L cached per covariance array. */
const cholCache = new WeakMap<Float64Array, Float64Array[]>();
function sampleGauss(family: CovarianceFamily, g: GaussComponents, comp: number, d: number, rng: Rng, out: Float64Array, off: number): void {
  let ls = cholCache.get(g.covariances);
  if (!ls) cholCache.set(g.covariances, (ls = []));
  let l = ls[comp];
  if (!l) {
    l = family.fullCovariance(g.covariances, comp, d);
    cholLowerInPlace(l, d);
    ls[comp] = l;
  }
  const z = Array.from({ length: d }, () => rng.normal());
  for (let a = 0; a < d; a++) {
    let s = g.means[comp * d + a]!;
    for (let b = 0; b <= a; b++) s += l[a * d + b]! * z[b]!;
    out[off + a] = s;
  }
}

/** Gaussian components for k components from inits or the data: k-means means, the data covariance. */
function initGauss(ws: Workspace, all: DataBlock, family: CovarianceFamily, k: number, rng: Rng, frame: Frame, regCovar: number, meansInit?: Float64Array, covInit?: Float64Array): GaussComponents {
  const d = all.d;
  const s2 = frame.scale * frame.scale;
  // The data covariance, only when k-means or the covariances need it (an O(n·d²) pass).
  const cv = meansInit && covInit ? undefined : blockCovariance(ws, all);
  let trace = 0;
  for (let j = 0; j < d; j++) trace += cv ? cv[j * d + j]! : 0;
  // scikit-learn's k-means tolerance: 1e-4 × the mean feature variance.
  const means = meansInit
    ? reframeComponents({ means: meansInit, covariances: new Float64Array(0), precisionsCholesky: new Float64Array(0) }, frame, d, false).means
    : kmeansSync(ws, all, k, rng, (1e-4 * trace) / d).centers;
  let covariances: Float64Array;
  if (covInit) covariances = covInit.map((v) => v / s2);
  else {
    for (let j = 0; j < d; j++) cv![j * d + j] += regCovar / s2;
    covariances = family.fromFull(cv!, k, d);
  }
  return { means, covariances, precisionsCholesky: family.precisionsCholesky(ws, covariances, k, d) };
}

function gaussFields(family: CovarianceFamily, g: GaussComponents, k: number, d: number, covName: string, lead: number[] = [k]): Record<string, unknown> {
  return {
    covarianceType: family.type,
    means: nest(g.means, [...lead, d]),
    [covName]: nest(g.covariances, family.type === 'tied' ? [d, d] : [...lead, ...family.shape(1, d).slice(1)]),
  };
}

// ---------------------------------------------------------------------------------------------------------------

export interface GaussianHMMOptions extends HmmOptions {
  covarianceType?: CovarianceType;
  meansInit?: readonly (readonly number[])[];
  /** Covariances in the compact shape for the type (full K×D×D, tied D×D, diag K×D, spherical K). */
  covarsInit?: unknown;
  regCovar?: number;
}

class GaussianFamily implements HmmFamily<GaussComponents> {
  readonly kind = 'GaussianHMM';
  readonly groups = ['means', 'covars'];
  get shape(): string {
    return `${this.nFeatures} features and '${this.cov.type}' covariances`;
  }
  constructor(
    readonly cov: CovarianceFamily,
    readonly nFeatures: number,
    readonly regCovar: number,
    readonly meansInit?: Float64Array,
    readonly covarsInit?: Float64Array,
  ) {}
  validate(): void {}
  frame(m: Matrix): Frame {
    return frameOf(m, undefined);
  }
  emission(ws: Workspace, k: number, _maxT: number, frame: Frame): GaussianEmission {
    return new GaussianEmission(ws, this.cov, k, this.nFeatures, this.regCovar / (frame.scale * frame.scale));
  }
  init(ws: Workspace, all: DataBlock, k: number, rng: Rng, frame: Frame): GaussComponents {
    return initGauss(ws, all, this.cov, k, rng, frame, this.regCovar, this.meansInit, this.covarsInit);
  }
  reframe(p: GaussComponents, frame: Frame, inverse: boolean): GaussComponents {
    return reframeComponents(p, frame, this.nFeatures, inverse);
  }
  sample(p: GaussComponents, state: number, rng: Rng, out: Float64Array, off: number): void {
    sampleGauss(this.cov, p, state, this.nFeatures, rng, out, off);
  }
  fields(p: GaussComponents): Record<string, unknown> {
    return gaussFields(this.cov, p, p.means.length / this.nFeatures, this.nFeatures, 'covars');
  }
}

/**
 * HMM with Gaussian emissions (hmmlearn `GaussianHMM`, maximum-likelihood M-step with `regCovar`).
 *
 * @example
 * const hmm = await GaussianHMM.fit(X, { nStates: 2, covarianceType: 'diag', lengths: [100, 50] });
 * hmm.decode(X, { lengths: [100, 50] }).states;
 */
export class GaussianHMM extends HiddenMarkovModel<GaussComponents> {
  declare readonly covarianceType: CovarianceType;
  declare readonly means: readonly (readonly number[])[];
  /** Compact shape for the type: full K×D×D, tied D×D, diag K×D, spherical K. */
  declare readonly covars: unknown;

  static async fit(X: MatrixInput, options: GaussianHMMOptions = {}): Promise<GaussianHMM> {
    const m = toMatrix(X);
    const k = intOption(options.nStates ?? 1, 'nStates', 1);
    const cov = covarianceFamily(options.covarianceType ?? 'diag');
    const meansInit = options.meansInit === undefined ? undefined : flattenShape(options.meansInit, [k, m.cols], 'meansInit');
    const covarsInit = options.covarsInit === undefined ? undefined : flattenShape(options.covarsInit, cov.shape(k, m.cols), 'covarsInit');
    if (covarsInit) cov.precisionsCholesky((await loadRuntime()).sync, covarsInit, k, m.cols);
    const family = new GaussianFamily(cov, m.cols, numOption(options.regCovar ?? 1e-6, 'regCovar'), meansInit, covarsInit);
    const { p, info } = await HiddenMarkovModel.fitParams(family, m, options, ['covarianceType', 'meansInit', 'covarsInit', 'regCovar']);
    return new GaussianHMM(family, p, info);
  }

  /** `{ covarianceType, startProb, transMat, means, covars }` with compact covariance shapes. */
  static async fromParams(params: { covarianceType?: CovarianceType; startProb: readonly number[]; transMat: readonly (readonly number[])[]; means: readonly (readonly number[])[]; covars: unknown }): Promise<GaussianHMM> {
    const { startProb, transMat, k } = chainFromParams(params);
    const cov = covarianceFamily(params.covarianceType ?? 'diag');
    const d = Array.isArray(params.means?.[0]) ? params.means[0].length : -1;
    if (d < 1) throw new ShapeError(`means must be ${k}×D, got ${describe(params.means)}`);
    const means = flattenShape(params.means, [k, d], 'means');
    const covariances = flattenShape(params.covars, cov.shape(k, d), 'covars');
    const precisionsCholesky = cov.precisionsCholesky((await loadRuntime()).sync, covariances, k, d);
    return new GaussianHMM(new GaussianFamily(cov, d, 1e-6), { startProb, transMat, emission: { means, covariances, precisionsCholesky } }, NO_FIT);
  }

  static async fromJSON(json: unknown): Promise<GaussianHMM> {
    const j = readJson(json, 'GaussianHMM');
    const base = await GaussianHMM.fromParams(j as never);
    return new GaussianHMM(base.family, base.p, fitInfoOf(j));
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface CategoricalHMMOptions extends HmmOptions {
  /** Number of symbols M (default: the largest symbol in X plus one). */
  nSymbols?: number;
  emissionProbInit?: readonly (readonly number[])[];
  /** Dirichlet pseudo-count added to every expected symbol count (default 0). */
  emissionProbPrior?: number;
}

class CategoricalFamily implements HmmFamily<Float64Array> {
  readonly kind = 'CategoricalHMM';
  readonly nFeatures = 1;
  readonly groups = ['emissionProb'];
  get shape(): string {
    return `${this.nSymbols} symbols`;
  }
  constructor(
    readonly nSymbols: number,
    readonly prior = 0,
    readonly init0?: Float64Array,
  ) {}
  validate(m: Matrix): void {
    if (m.cols !== 1) throw new ShapeError(`CategoricalHMM data must have one column of symbols, got ${m.cols} columns`);
    for (let i = 0; i < m.rows; i++) {
      const v = m.data[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= this.nSymbols) {
        throw new ValidationError(`symbols must be integers in [0, ${this.nSymbols - 1}], got ${v} at row ${i}`);
      }
    }
  }
  frame(): Frame {
    return IDENTITY(1);
  }
  emission(ws: Workspace, k: number): CategoricalEmission {
    return new CategoricalEmission(ws, k, this.nSymbols, this.prior);
  }
  init(_ws: Workspace, _all: DataBlock, k: number, rng: Rng): Float64Array {
    return this.init0 ?? Float64Array.from(Array.from({ length: k }, () => rng.dirichlet(this.nSymbols)).flat());
  }
  reframe(p: Float64Array): Float64Array {
    return p;
  }
  sample(p: Float64Array, state: number, rng: Rng, out: Float64Array, off: number): void {
    out[off] = rng.categorical(p.subarray(state * this.nSymbols, (state + 1) * this.nSymbols));
  }
  fields(p: Float64Array): Record<string, unknown> {
    return { nSymbols: this.nSymbols, emissionProb: nest(p, [p.length / this.nSymbols, this.nSymbols]) };
  }
}

/** HMM over symbols 0…M−1 (hmmlearn `CategoricalHMM`); X is one column of integers. */
export class CategoricalHMM extends HiddenMarkovModel<Float64Array> {
  declare readonly nSymbols: number;
  declare readonly emissionProb: readonly (readonly number[])[];

  static async fit(X: MatrixInput, options: CategoricalHMMOptions = {}): Promise<CategoricalHMM> {
    const m = toMatrix(X);
    const k = intOption(options.nStates ?? 1, 'nStates', 1);
    let max = 0;
    for (let i = 0; i < m.data.length; i++) max = Math.max(max, m.data[i]!);
    const nSymbols = intOption(options.nSymbols ?? (options.init instanceof CategoricalHMM ? options.init.nSymbols : Number.isInteger(max) ? max + 1 : 1), 'nSymbols', 1);
    const init0 = options.emissionProbInit === undefined ? undefined : probabilityRows(options.emissionProbInit, k, nSymbols, 'emissionProbInit');
    const family = new CategoricalFamily(nSymbols, numOption(options.emissionProbPrior ?? 0, 'emissionProbPrior'), init0);
    const { p, info } = await HiddenMarkovModel.fitParams(family, m, options, ['nSymbols', 'emissionProbInit', 'emissionProbPrior']);
    return new CategoricalHMM(family, p, info);
  }

  static async fromParams(params: { startProb: readonly number[]; transMat: readonly (readonly number[])[]; emissionProb: readonly (readonly number[])[] }): Promise<CategoricalHMM> {
    const { startProb, transMat, k } = chainFromParams(params);
    const mSym = Array.isArray(params.emissionProb?.[0]) ? params.emissionProb[0].length : -1;
    if (mSym < 1) throw new ShapeError(`emissionProb must be ${k}×M, got ${describe(params.emissionProb)}`);
    const e = probabilityRows(params.emissionProb, k, mSym, 'emissionProb');
    await loadRuntime();
    return new CategoricalHMM(new CategoricalFamily(mSym), { startProb, transMat, emission: e }, NO_FIT);
  }

  static async fromJSON(json: unknown): Promise<CategoricalHMM> {
    const j = readJson(json, 'CategoricalHMM');
    const base = await CategoricalHMM.fromParams(j as never);
    return new CategoricalHMM(base.family, base.p, fitInfoOf(j));
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface PoissonHMMOptions extends HmmOptions {
  /** Initial rates, K×D (alias: ratesInit). */
  lambdasInit?: readonly (readonly number[])[];
  ratesInit?: readonly (readonly number[])[];
}

/** A Poisson(λ) draw: multiplication method below 30, additivity above (λ = Σ of parts ≤ 30). */
function poisson(rng: Rng, lambda: number): number {
  let total = 0;
  let rest = lambda;
  while (rest > 0) {
    const part = Math.min(rest, 30);
    rest -= part;
    const l = exp(-part);
    let p = rng.random();
    let x = 0;
    while (p > l) {
      p *= rng.random();
      x++;
    }
    total += x;
  }
  return total;
}

class PoissonFamily implements HmmFamily<Float64Array> {
  readonly kind = 'PoissonHMM';
  readonly groups = ['lambdas'];
  get shape(): string {
    return `${this.nFeatures} features`;
  }
  constructor(
    readonly nFeatures: number,
    readonly init0?: Float64Array,
  ) {}
  validate(m: Matrix): void {
    for (let p = 0; p < m.data.length; p++) {
      const v = m.data[p]!;
      if (!Number.isInteger(v) || v < 0) {
        throw new ValidationError(`PoissonHMM counts must be non-negative integers, got ${v} at row ${Math.floor(p / m.cols)}, column ${p % m.cols}`);
      }
    }
  }
  frame(): Frame {
    return IDENTITY(this.nFeatures);
  }
  emission(ws: Workspace, k: number): PoissonEmission {
    return new PoissonEmission(ws, k, this.nFeatures);
  }
  init(ws: Workspace, all: DataBlock, k: number, rng: Rng): Float64Array {
    if (this.init0) return this.init0;
    // k-means centres of the counts, kept away from 0 so every state can explain a count.
    return kmeansSync(ws, all, k, rng, 0).centers.map((v) => Math.max(v, 1e-3));
  }
  reframe(p: Float64Array): Float64Array {
    return p;
  }
  sample(p: Float64Array, state: number, rng: Rng, out: Float64Array, off: number): void {
    for (let j = 0; j < this.nFeatures; j++) out[off + j] = poisson(rng, p[state * this.nFeatures + j]!);
  }
  fields(p: Float64Array): Record<string, unknown> {
    return { lambdas: nest(p, [p.length / this.nFeatures, this.nFeatures]) };
  }
}

function positiveRates(v: unknown, k: number, d: number, name: string): Float64Array {
  const r = flattenShape(v, [k, d], name);
  r.forEach((x, p) => {
    if (!(x > 0)) throw new ValidationError(`${name} must be positive, got ${x} at [${Math.floor(p / d)}][${p % d}]`);
  });
  return r;
}

/** HMM over independent Poisson counts per feature (hmmlearn `PoissonHMM`). */
export class PoissonHMM extends HiddenMarkovModel<Float64Array> {
  declare readonly lambdas: readonly (readonly number[])[];

  static async fit(X: MatrixInput, options: PoissonHMMOptions = {}): Promise<PoissonHMM> {
    const m = toMatrix(X);
    const k = intOption(options.nStates ?? 1, 'nStates', 1);
    const given = options.lambdasInit ?? options.ratesInit;
    const family = new PoissonFamily(m.cols, given === undefined ? undefined : positiveRates(given, k, m.cols, 'lambdasInit'));
    const { p, info } = await HiddenMarkovModel.fitParams(family, m, options, ['lambdasInit', 'ratesInit']);
    return new PoissonHMM(family, p, info);
  }

  static async fromParams(params: { startProb: readonly number[]; transMat: readonly (readonly number[])[]; lambdas: readonly (readonly number[])[] }): Promise<PoissonHMM> {
    const { startProb, transMat, k } = chainFromParams(params);
    const d = Array.isArray(params.lambdas?.[0]) ? params.lambdas[0].length : -1;
    if (d < 1) throw new ShapeError(`lambdas must be ${k}×D, got ${describe(params.lambdas)}`);
    await loadRuntime();
    return new PoissonHMM(new PoissonFamily(d), { startProb, transMat, emission: positiveRates(params.lambdas, k, d, 'lambdas') }, NO_FIT);
  }

  static async fromJSON(json: unknown): Promise<PoissonHMM> {
    const j = readJson(json, 'PoissonHMM');
    const base = await PoissonHMM.fromParams(j as never);
    return new PoissonHMM(base.family, base.p, fitInfoOf(j));
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface GMMHMMOptions extends HmmOptions {
  /** Gaussians per state (default 1). */
  nMix?: number;
  /** 'full' | 'diag' | 'spherical' (hmmlearn's per-state 'tied' is not offered). */
  covarianceType?: Exclude<CovarianceType, 'tied'>;
  weightsInit?: readonly (readonly number[])[];
  meansInit?: unknown;
  covarsInit?: unknown;
  regCovar?: number;
}

class GmmFamily implements HmmFamily<GmmComponents> {
  readonly kind = 'GMMHMM';
  readonly groups = ['weights', 'means', 'covars'];
  get shape(): string {
    return `${this.nMix} mixture components, ${this.nFeatures} features and '${this.cov.type}' covariances`;
  }
  constructor(
    readonly cov: CovarianceFamily,
    readonly nFeatures: number,
    readonly nMix: number,
    readonly regCovar: number,
    readonly inits: { weights?: Float64Array; means?: Float64Array; covars?: Float64Array } = {},
  ) {}
  validate(): void {}
  frame(m: Matrix): Frame {
    return frameOf(m, undefined);
  }
  emission(ws: Workspace, k: number, maxT: number, frame: Frame): GmmEmission {
    return new GmmEmission(ws, this.cov, k, this.nMix, this.nFeatures, this.regCovar / (frame.scale * frame.scale), maxT);
  }
  init(ws: Workspace, all: DataBlock, k: number, rng: Rng, frame: Frame): GmmComponents {
    const km = k * this.nMix;
    const gauss = initGauss(ws, all, this.cov, km, rng, frame, this.regCovar, this.inits.means, this.inits.covars);
    return { weights: this.inits.weights ?? new Float64Array(km).fill(1 / this.nMix), gauss };
  }
  reframe(p: GmmComponents, frame: Frame, inverse: boolean): GmmComponents {
    return { weights: p.weights, gauss: reframeComponents(p.gauss, frame, this.nFeatures, inverse) };
  }
  sample(p: GmmComponents, state: number, rng: Rng, out: Float64Array, off: number): void {
    const c = state * this.nMix + rng.categorical(p.weights.subarray(state * this.nMix, (state + 1) * this.nMix));
    sampleGauss(this.cov, p.gauss, c, this.nFeatures, rng, out, off);
  }
  fields(p: GmmComponents): Record<string, unknown> {
    const k = p.weights.length / this.nMix;
    return { nMix: this.nMix, weights: nest(p.weights, [k, this.nMix]), ...gaussFields(this.cov, p.gauss, k * this.nMix, this.nFeatures, 'covars', [k, this.nMix]) };
  }
}

/** HMM whose state emissions are Gaussian mixtures (hmmlearn `GMMHMM`). */
export class GMMHMM extends HiddenMarkovModel<GmmComponents> {
  declare readonly nMix: number;
  declare readonly covarianceType: CovarianceType;
  declare readonly weights: readonly (readonly number[])[];
  /** K×M×D. */
  declare readonly means: unknown;
  /** full K×M×D×D, diag K×M×D, spherical K×M. */
  declare readonly covars: unknown;

  static async fit(X: MatrixInput, options: GMMHMMOptions = {}): Promise<GMMHMM> {
    const m = toMatrix(X);
    const k = intOption(options.nStates ?? 1, 'nStates', 1);
    const nMix = intOption(options.nMix ?? 1, 'nMix', 1);
    const type = options.covarianceType ?? 'diag';
    if ((type as string) === 'tied') throw new ValidationError(`GMMHMM covarianceType must be 'full', 'diag' or 'spherical', got 'tied'`);
    const cov = covarianceFamily(type);
    const d = m.cols;
    const shape = [k, nMix, ...cov.shape(1, d).slice(1)];
    const family = new GmmFamily(cov, d, nMix, numOption(options.regCovar ?? 1e-6, 'regCovar'), {
      weights: options.weightsInit === undefined ? undefined : probabilityRows(options.weightsInit, k, nMix, 'weightsInit'),
      means: options.meansInit === undefined ? undefined : flattenShape(options.meansInit, [k, nMix, d], 'meansInit'),
      covars: options.covarsInit === undefined ? undefined : flattenShape(options.covarsInit, shape, 'covarsInit'),
    });
    const { p, info } = await HiddenMarkovModel.fitParams(family, m, options, ['nMix', 'covarianceType', 'weightsInit', 'meansInit', 'covarsInit', 'regCovar']);
    return new GMMHMM(family, p, info);
  }

  static async fromParams(params: { covarianceType?: Exclude<CovarianceType, 'tied'>; startProb: readonly number[]; transMat: readonly (readonly number[])[]; weights: readonly (readonly number[])[]; means: unknown; covars: unknown }): Promise<GMMHMM> {
    const { startProb, transMat, k } = chainFromParams(params);
    const cov = covarianceFamily(params.covarianceType ?? 'diag');
    const nMix = Array.isArray(params.weights?.[0]) ? params.weights[0].length : -1;
    if (nMix < 1) throw new ShapeError(`weights must be ${k}×M, got ${describe(params.weights)}`);
    const m0 = (params.means as number[][][] | undefined)?.[0]?.[0];
    const d = Array.isArray(m0) ? m0.length : -1;
    if (d < 1) throw new ShapeError(`means must be ${k}×${nMix}×D, got ${describe(params.means)}`);
    const weights = probabilityRows(params.weights, k, nMix, 'weights');
    const means = flattenShape(params.means, [k, nMix, d], 'means');
    const covariances = flattenShape(params.covars, [k, nMix, ...cov.shape(1, d).slice(1)], 'covars');
    const precisionsCholesky = cov.precisionsCholesky((await loadRuntime()).sync, covariances, k * nMix, d);
    return new GMMHMM(new GmmFamily(cov, d, nMix, 1e-6), { startProb, transMat, emission: { weights, gauss: { means, covariances, precisionsCholesky } } }, NO_FIT);
  }

  static async fromJSON(json: unknown): Promise<GMMHMM> {
    const j = readJson(json, 'GMMHMM');
    const base = await GMMHMM.fromParams(j as never);
    return new GMMHMM(base.family, base.p, fitInfoOf(j));
  }
}

function fitInfoOf(j: Record<string, unknown>): HmmFitInfo {
  const lb = Array.isArray(j.lowerBounds) ? (j.lowerBounds as unknown[]).map((v) => (typeof v === 'number' ? v : -Infinity)) : [];
  return { converged: j.converged === true, nIter: typeof j.nIter === 'number' ? j.nIter : 0, lowerBounds: lb, runLowerBounds: [], monotonicityViolations: [] };
}
