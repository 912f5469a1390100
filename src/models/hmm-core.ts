import { runEm, type IterationInfo, type MonotonicityViolation } from '../core/em.js';
import { ShapeError, ValidationError } from '../core/errors.js';
import { checkOptionNames, describe, intOption, numOption, toMatrix, type Matrix, type MatrixInput } from '../core/matrix.js';
import { Rng } from '../core/rng.js';
import { uploadBlock, type Frame } from '../parts/data.js';
import type { Emission } from '../parts/emission.js';
import { flattenShape, type DataBlock } from '../parts/gaussian.js';
import { MarkovChainEm, type HmmParams } from '../parts/markov.js';
import { loadRuntime, loadedRuntime } from '../wasm/load.js';
import type { Workspace } from '../wasm/workspace.js';
import { log } from '../core/fdlibm.js';

/** Options every hidden Markov model takes. */
export interface HmmOptions {
  nStates?: number;
  /** Lengths of the sequences concatenated in X (default: one sequence). */
  lengths?: readonly number[];
  startProbInit?: readonly number[];
  transMatInit?: readonly (readonly number[])[];
  /** A fitted model of the same kind and shape to start from (warm start): its parameters replace the initialisation (startProbInit / transMatInit, if given, still set the chain). */
  init?: HiddenMarkovModel<unknown>;
  /** Parameter groups the M-step re-estimates (default all), e.g. ['transMat', 'means']. */
  update?: readonly string[];
  /** Dirichlet pseudo-counts added to expected start / transition counts (default 0: maximum likelihood). */
  startProbPrior?: number;
  transMatPrior?: number;
  nInit?: number;
  maxIter?: number;
  /** Stop when the total log-likelihood changes by less than this (hmmlearn; default 1e-2). */
  tol?: number;
  seed?: number;
  onIteration?: (info: IterationInfo) => void;
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
}

export const HMM_OPTION_NAMES = [
  'nStates', 'lengths', 'init', 'startProbInit', 'transMatInit', 'update', 'startProbPrior', 'transMatPrior', 'nInit', 'maxIter', 'tol', 'seed',
  'onIteration', 'onWarning', 'signal',
];

/** Everything that differs between GaussianHMM, CategoricalHMM, PoissonHMM and GMMHMM. */
export interface HmmFamily<P> {
  readonly kind: string;
  readonly nFeatures: number;
  /** What a warm-start model must share with this one beyond the kind and nStates, e.g. "2 features and 'diag' covariances". */
  readonly shape: string;
  /** Parameter groups of the emission, for `update`. */
  readonly groups: readonly string[];
  /** Rejects data this family cannot model (symbols out of range, negative counts, wrong width). */
  validate(m: Matrix): void;
  /** The internal frame of fit data (identity for discrete data). */
  frame(m: Matrix): Frame;
  emission(ws: Workspace, k: number, maxT: number, frame: Frame): Emission<P>;
  /** Initial emission parameters in the frame, from user inits or the data (`all` is every row in one block). */
  init(ws: Workspace, all: DataBlock, k: number, rng: Rng, frame: Frame): P;
  /** Parameters moved into the frame or back (`inverse`). */
  reframe(p: P, frame: Frame, inverse: boolean): P;
  /** Writes one emission of `state` into out[off…off+d). */
  sample(p: P, state: number, rng: Rng, out: Float64Array, off: number): void;
  /** Public fields (plain arrays, compact shapes). */
  fields(p: P): Record<string, unknown>;
}

export interface HmmFitInfo {
  converged: boolean;
  nIter: number;
  lowerBounds: number[];
  runLowerBounds: number[];
  monotonicityViolations: MonotonicityViolation[];
}

/** Splits validated lengths into [from, to) row ranges. */
export function sequenceRanges(lengths: readonly number[] | undefined, n: number): [number, number][] {
  if (lengths === undefined) return [[0, n]];
  if (!Array.isArray(lengths)) throw new ValidationError(`lengths must be an array of positive integers, got ${describe(lengths)}`);
  const out: [number, number][] = [];
  let at = 0;
  lengths.forEach((len, i) => {
    if (typeof len !== 'number' || !Number.isInteger(len) || len < 1) {
      throw new ValidationError(`lengths must hold positive integers, got ${typeof len === 'number' ? len : describe(len)} at ${i}`);
    }
    out.push([at, at + len]);
    at += len;
  });
  if (at !== n) throw new ShapeError(`lengths must sum to the number of rows (${n}), got ${at}`);
  return out;
}

/** A probability vector (non-negative, sums to 1 within 1e-8), flattened. */
export function probabilityRows(v: unknown, rows: number, cols: number, name: string): Float64Array {
  const flat = flattenShape(v, rows === 0 ? [cols] : [rows, cols], name);
  for (let r = 0; r < Math.max(rows, 1); r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) {
      const x = flat[r * cols + c]!;
      if (x < 0) throw new ValidationError(`${name} must be non-negative, got ${x} at ${rows ? `[${r}][${c}]` : `[${c}]`}`);
      s += x;
    }
    if (Math.abs(s - 1) > 1e-8) throw new ValidationError(`${name}${rows ? ` row ${r}` : ''} must sum to 1, got ${s}`);
  }
  return flat;
}

function deepFreeze<T>(v: T): T {
  if (Array.isArray(v)) {
    v.forEach(deepFreeze);
    Object.freeze(v);
  }
  return v;
}

/** The parameters of a warm-start model, after checking it has this fit's kind and shape. */
function warmStart<P>(init: unknown, family: HmmFamily<P>, k: number): HmmParams<P> | undefined {
  if (init === undefined) return undefined;
  if (!(init instanceof HiddenMarkovModel) || init.family.kind !== family.kind) {
    throw new ValidationError(`init must be a fitted ${family.kind}, got ${describe(init)}`);
  }
  if (init.nStates !== k || init.family.shape !== family.shape) {
    throw new ValidationError(`init model must have ${k} states and ${family.shape}, got ${init.nStates} states and ${init.family.shape}`);
  }
  return init.p as HmmParams<P>;
}

/** Uploads each sequence as its own feature-major block (so every kernel sees contiguous data). */
function uploadSequences(ws: Workspace, m: Matrix, frame: Frame, ranges: [number, number][]): DataBlock[] {
  return ranges.map(([a, b]) => uploadBlock(ws, m, frame, undefined, a, b));
}

/**
 * The shared body of every hidden Markov model: fitting through the EM driver, and the sync methods of a
 * fitted model. Subclasses only choose the emission family.
 */
export class HiddenMarkovModel<P> {
  readonly nStates: number;
  readonly nFeatures: number;
  readonly startProb: readonly number[];
  readonly transMat: readonly (readonly number[])[];
  readonly converged: boolean;
  readonly nIter: number;
  /** Total log-likelihood at each iteration of the best run. */
  readonly lowerBounds: readonly number[];
  readonly runLowerBounds: readonly number[];
  readonly monotonicityViolations: readonly MonotonicityViolation[];
  /** @internal */
  readonly p: HmmParams<P>;
  /** @internal */
  readonly family: HmmFamily<P>;

  protected constructor(family: HmmFamily<P>, p: HmmParams<P>, info: HmmFitInfo) {
    const k = p.startProb.length;
    this.family = family;
    this.p = p;
    this.nStates = k;
    this.nFeatures = family.nFeatures;
    this.startProb = deepFreeze(Array.from(p.startProb));
    this.transMat = deepFreeze(Array.from({ length: k }, (_, i) => Array.from(p.transMat.subarray(i * k, (i + 1) * k))));
    this.converged = info.converged;
    this.nIter = info.nIter;
    this.lowerBounds = deepFreeze(info.lowerBounds.slice());
    this.runLowerBounds = deepFreeze(info.runLowerBounds.slice());
    this.monotonicityViolations = deepFreeze(info.monotonicityViolations.slice());
    for (const [key, value] of Object.entries(family.fields(p.emission))) {
      Object.defineProperty(this, key, { value: deepFreeze(value), enumerable: true });
    }
    Object.freeze(this);
  }

  /** Validates options, runs Baum–Welch through the EM driver, returns the parameters in the data's frame. */
  protected static async fitParams<P>(
    family: HmmFamily<P>,
    m: Matrix,
    options: HmmOptions,
    extraOptionNames: readonly string[],
  ): Promise<{ p: HmmParams<P>; info: HmmFitInfo }> {
    checkOptionNames(options, [...HMM_OPTION_NAMES, ...extraOptionNames], `${family.kind}.fit`);
    const k = intOption(options.nStates ?? 1, 'nStates', 1);
    const maxIter = intOption(options.maxIter ?? 10, 'maxIter', 0);
    const tol = numOption(options.tol ?? 1e-2, 'tol');
    const nInit = intOption(options.nInit ?? 1, 'nInit', 1);
    const seed = intOption(options.seed ?? 0, 'seed', 0);
    const startPrior = numOption(options.startProbPrior ?? 0, 'startProbPrior');
    const transPrior = numOption(options.transMatPrior ?? 0, 'transMatPrior');
    const groups = ['startProb', 'transMat', ...family.groups];
    const update = new Set(options.update ?? groups);
    for (const g of update) if (!groups.includes(g)) throw new ValidationError(`update must name parameter groups among ${groups.join(', ')}, got "${g}"`);
    if (m.rows < k) throw new ShapeError(`nStates (${k}) must not exceed the number of samples, got ${m.rows} samples`);
    family.validate(m);
    const ranges = sequenceRanges(options.lengths, m.rows);
    const startInit = options.startProbInit === undefined ? undefined : probabilityRows(options.startProbInit, 0, k, 'startProbInit');
    const transInit = options.transMatInit === undefined ? undefined : probabilityRows(options.transMatInit, k, k, 'transMatInit');
    const warm = warmStart(options.init, family, k);

    const rt = await loadRuntime();
    const ws = await rt.acquire();
    try {
      const frame = family.frame(m);
      const blocks = uploadSequences(ws, m, frame, ranges);
      const all = uploadBlock(ws, m, frame, undefined);
      const maxT = Math.max(...ranges.map(([a, b]) => b - a));
      const emission = family.emission(ws, k, maxT, frame);
      const model = new MarkovChainEm(ws, emission, {
        init: (_data, rng) => ({
          startProb: startInit ?? warm?.startProb ?? Float64Array.from(rng.dirichlet(k)),
          transMat: transInit ?? warm?.transMat ?? Float64Array.from(Array.from({ length: k }, () => rng.dirichlet(k)).flat()),
          emission: warm ? family.reframe(warm.emission, frame, false) : family.init(ws, all, k, rng, frame),
        }),
        update,
        startPrior,
        transPrior,
      }, maxT);
      // Log-densities in the frame differ from the data's by −n·d·log(scale) in total.
      const shift = -m.rows * family.nFeatures * log(frame.scale);
      const result = await runEm(model, blocks, {
        maxIter, tol, nInit, seed,
        onIteration: options.onIteration && ((info) => options.onIteration!({ ...info, lowerBound: info.lowerBound + shift })),
        onWarning: options.onWarning,
        signal: options.signal,
      }, new Rng(seed));
      const best = result.params;
      return {
        p: { startProb: best.startProb, transMat: best.transMat, emission: family.reframe(best.emission, frame, true) },
        info: {
          converged: result.converged,
          nIter: result.nIter,
          lowerBounds: result.lowerBounds.map((v) => v + shift),
          runLowerBounds: result.runLowerBounds.map((v) => v + shift),
          monotonicityViolations: result.monotonicityViolations,
        },
      };
    } finally {
      rt.release(ws);
    }
  }

  /** Runs `fn` over each sequence of X in the sync workspace, with a chain model for this HMM. */
  private perSequence<T>(X: MatrixInput, lengths: readonly number[] | undefined, fn: (em: MarkovChainEm<P>, block: DataBlock, ws: Workspace, from: number) => T): T[] {
    const m = toMatrix(X);
    if (m.cols !== this.nFeatures) throw new ShapeError(`X must have ${this.nFeatures} features (as in fit), got ${m.cols}`);
    this.family.validate(m);
    const ranges = sequenceRanges(lengths, m.rows);
    const ws = loadedRuntime().sync;
    return ws.scope(() => {
      const identity: Frame = { centre: new Float64Array(m.cols), scale: 1 };
      const maxT = Math.max(...ranges.map(([a, b]) => b - a));
      const em = new MarkovChainEm(ws, this.family.emission(ws, this.nStates, maxT, identity), {
        init: () => this.p, update: new Set(), startPrior: 0, transPrior: 0,
      }, maxT);
      return ranges.map(([a, b]) => ws.scope(() => fn(em, uploadBlock(ws, m, identity, undefined, a, b), ws, a)));
    });
  }

  /** Total log-likelihood of all sequences. */
  score(X: MatrixInput, lengths?: readonly number[]): number {
    return this.perSequence(X, lengths, (em, b) => em.logLikelihood(this.p, b)).reduce((a, v) => a + v, 0);
  }

  /** Posterior state probabilities per sample (rows = samples, cols = states). */
  predictProba(X: MatrixInput, lengths?: readonly number[]): Matrix {
    const k = this.nStates;
    const parts = this.perSequence(X, lengths, (em, b, ws, from) => {
      const { gammaPtr } = em.posteriors(this.p, b, false);
      return { from, n: b.n, g: ws.f64(gammaPtr, k * b.n).slice() };
    });
    const rows = parts.reduce((a, q) => a + q.n, 0);
    const data = new Float64Array(rows * k);
    for (const { from, n, g } of parts) for (let s = 0; s < k; s++) for (let i = 0; i < n; i++) data[(from + i) * k + s] = g[s * n + i]!;
    return { data, rows, cols: k };
  }

  /** The most likely state sequence: 'viterbi' (joint, default) or 'map' (per-step posterior argmax). */
  decode(X: MatrixInput, options: { lengths?: readonly number[]; algorithm?: 'viterbi' | 'map' } = {}): { logProb: number; states: Int32Array } {
    const algorithm = options.algorithm ?? 'viterbi';
    if (algorithm === 'map') {
      const post = this.predictProba(X, options.lengths);
      const states = new Int32Array(post.rows);
      for (let i = 0; i < post.rows; i++) {
        let best = 0;
        for (let s = 1; s < post.cols; s++) if (post.data[i * post.cols + s]! > post.data[i * post.cols + best]!) best = s;
        states[i] = best;
      }
      return { logProb: this.score(X, options.lengths), states };
    }
    if (algorithm !== 'viterbi') throw new ValidationError(`algorithm must be 'viterbi' or 'map', got ${describe(algorithm)}`);
    const parts = this.perSequence(X, options.lengths, (em, b, ws) => {
      const statesPtr = ws.alloc(Math.ceil(b.n / 2));
      const logProb = em.viterbi(this.p, b, statesPtr);
      return { logProb, states: ws.i32(statesPtr, b.n).slice() };
    });
    const states = new Int32Array(parts.reduce((a, q) => a + q.states.length, 0));
    let at = 0;
    let logProb = 0;
    for (const q of parts) {
      states.set(q.states, at);
      at += q.states.length;
      logProb += q.logProb;
    }
    return { logProb, states };
  }

  /** Viterbi states. */
  predict(X: MatrixInput, lengths?: readonly number[]): Int32Array {
    return this.decode(X, { lengths }).states;
  }

  /** A sequence of n steps from the model, with its hidden states. */
  sample(n: number, options: { seed?: number } = {}): { X: Matrix; states: Int32Array } {
    intOption(n, 'n', 1);
    const rng = new Rng(options.seed ?? 0);
    const k = this.nStates;
    const d = this.nFeatures;
    const data = new Float64Array(n * d);
    const states = new Int32Array(n);
    let s = rng.categorical(this.p.startProb);
    for (let t = 0; t < n; t++) {
      if (t > 0) s = rng.categorical(this.p.transMat.subarray(s * k, (s + 1) * k));
      states[t] = s;
      this.family.sample(this.p.emission, s, rng, data, t * d);
    }
    return { X: { data, rows: n, cols: d }, states };
  }

  /** Free parameters: start K−1, transitions K(K−1), plus the emissions'. */
  nParameters(): number {
    const k = this.nStates;
    const ws = loadedRuntime().sync;
    return ws.scope(() => k - 1 + k * (k - 1) + this.family.emission(ws, k, 1, { centre: new Float64Array(this.nFeatures), scale: 1 }).nParameters());
  }

  bic(X: MatrixInput, lengths?: readonly number[]): number {
    return -2 * this.score(X, lengths) + this.nParameters() * log(toMatrix(X).rows);
  }

  aic(X: MatrixInput, lengths?: readonly number[]): number {
    return -2 * this.score(X, lengths) + 2 * this.nParameters();
  }

  /** The stationary distribution π (πA = π, Σπ = 1) by Gaussian elimination on (Aᵀ − I) with Σπ = 1. */
  stationaryDistribution(): number[] {
    const k = this.nStates;
    const a = Array.from({ length: k }, (_, i) => Array.from({ length: k + 1 }, (_, j) => (j === k ? 0 : this.p.transMat[j * k + i]! - (i === j ? 1 : 0))));
    a[k - 1] = Array.from({ length: k + 1 }, () => 1);
    for (let c = 0; c < k; c++) {
      let piv = c;
      for (let r = c + 1; r < k; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
      [a[c], a[piv]] = [a[piv]!, a[c]!];
      const p = a[c]![c]!;
      if (Math.abs(p) < 1e-300) continue;
      for (let r = 0; r < k; r++) {
        if (r === c) continue;
        const f = a[r]![c]! / p;
        for (let j = c; j <= k; j++) a[r]![j] -= f * a[c]![j]!;
      }
    }
    return a.map((row, i) => row[k]! / row[i]!);
  }

  /** Plain-data form: the kind, the chain, the emission fields, and the fit record. */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.family.kind,
      version: 1,
      startProb: this.startProb,
      transMat: this.transMat,
      ...this.family.fields(this.p.emission),
      converged: this.converged,
      nIter: this.nIter,
      lowerBounds: this.lowerBounds,
    };
  }
}

/** Parses a JSON string or object and checks its kind. */
export function readJson(json: unknown, kind: string): Record<string, unknown> {
  let j = json;
  if (typeof json === 'string') {
    try {
      j = JSON.parse(json);
    } catch (e) {
      throw new ValidationError(`fromJSON: malformed JSON (${(e as Error).message})`);
    }
  }
  if (typeof j !== 'object' || j === null || (j as { kind?: unknown }).kind !== kind || (j as { version?: unknown }).version !== 1) {
    throw new ValidationError(`fromJSON expects the output of ${kind}.toJSON (kind '${kind}', version 1), got ${describe(j)}`);
  }
  return j as Record<string, unknown>;
}
