import { AbortError, ValidationError } from './errors.js';
import { Rng } from './rng.js';

/** Expected sufficient statistics: a flat, mergeable block whose layout the model owns. */
export interface Stats {
  values: Float64Array;
  /** Σ_i w_i · log p(x_i) over the samples seen. */
  logLik: number;
  /** Σ_i w_i: the (weighted) number of samples seen. */
  weight: number;
}

/** The seam every model fills: EM needs nothing else to know about it. */
export interface EmModel<P, D> {
  /** Starting parameters for restart `run` (0-based). */
  init(data: readonly D[], rng: Rng, run: number): P;
  zeroStats(): Stats;
  /** Adds this chunk's expected sufficient statistics (and log-likelihood) into `into`. */
  eStep(params: P, chunk: D, into: Stats): void;
  /** The parameters that maximise the expected complete-data log-likelihood given `stats`. */
  mStep(stats: Stats, prev: P): P;
  /** The bound EM tracks (default: the mean per-sample log-likelihood, as scikit-learn). */
  bound?(stats: Stats): number;
  /** A model-specific stop test checked after each M-step (default: |Δ bound| < tol). */
  stop?(prev: P, next: P, change: number, tol: number): boolean;
}

export interface IterationInfo {
  run: number;
  iter: number;
  lowerBound: number;
  change: number;
}

export interface EmOptions {
  maxIter: number;
  tol: number;
  nInit: number;
  seed: number;
  onIteration?: ((info: IterationInfo) => void) | undefined;
  onWarning?: ((message: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** The bound to start from instead of −∞ (warm start, as scikit-learn). */
  startBound?: number | undefined;
}

export interface MonotonicityViolation {
  run: number;
  iter: number;
  drop: number;
}

export interface EmResult<P> {
  params: P;
  converged: boolean;
  nIter: number;
  lowerBound: number;
  /** The bound after each iteration of the best run. */
  lowerBounds: number[];
  /** The final bound of every restart, in order. */
  runLowerBounds: number[];
  /** Decreases of the bound beyond round-off (1e-10 relative): empty for a correct model. */
  monotonicityViolations: MonotonicityViolation[];
  /** Statistics of a final E-step under the returned parameters. */
  finalStats: Stats;
}

const YIELD_MS = 12;

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function yieldToEventLoop(): Promise<void> {
  const si = (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate;
  return new Promise((resolve) => (si ? si(resolve) : setTimeout(resolve, 0)));
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError(signal.reason);
}

/** One full pass of E-steps over every chunk. */
export function collectStats<P, D>(model: EmModel<P, D>, params: P, data: readonly D[]): Stats {
  const stats = model.zeroStats();
  for (const chunk of data) model.eStep(params, chunk, stats);
  return stats;
}

/**
 * The EM driver (scikit-learn `BaseMixture.fit` semantics): `nInit` restarts, each up to `maxIter` iterations
 * of E-step + M-step, stopping when the bound changes by less than `tol`; the run with the highest final
 * bound wins; a final E-step under the winning parameters closes the fit. Written as a generator that yields
 * where the async driver may give the event loop a turn, so the same loop also runs synchronously.
 */
function* emLoop<P, D>(model: EmModel<P, D>, data: readonly D[], options: EmOptions, rng: Rng): Generator<void, EmResult<P>> {
  const { maxIter, tol, nInit, onIteration, onWarning, signal } = options;
  if (data.length === 0) throw new ValidationError('runEm needs at least one chunk of data');
  const bound = (s: Stats): number => (model.bound ? model.bound(s) : s.logLik / s.weight);
  let best: Omit<EmResult<P>, 'runLowerBounds' | 'monotonicityViolations' | 'finalStats'> | undefined;
  const runLowerBounds: number[] = [];
  const violations: MonotonicityViolation[] = [];
  let lastYield = now();

  for (let run = 0; run < nInit; run++) {
    checkAbort(signal);
    let params = model.init(data, rng, run);
    let lowerBound = options.startBound ?? -Infinity;
    const history: number[] = [];
    let converged = false;
    let nIter = 0;
    for (let iter = 1; iter <= maxIter; iter++) {
      checkAbort(signal);
      const prevBound = lowerBound;
      const stats = collectStats(model, params, data);
      lowerBound = bound(stats);
      const next = model.mStep(stats, params);
      nIter = iter;
      history.push(lowerBound);
      const change = lowerBound - prevBound;
      if (Number.isFinite(prevBound) && change < -1e-10 * Math.max(1, Math.abs(prevBound))) {
        violations.push({ run, iter, drop: -change });
        onWarning?.(`log-likelihood decreased by ${-change} at iteration ${iter} of run ${run}`);
      }
      onIteration?.({ run, iter, lowerBound, change });
      const prev = params;
      params = next;
      if (model.stop ? model.stop(prev, next, change, tol) : Math.abs(change) < tol) {
        converged = true;
        break;
      }
      if (now() - lastYield > YIELD_MS) {
        yield;
        lastYield = now();
      }
    }
    runLowerBounds.push(lowerBound);
    if (!converged && maxIter > 0) {
      onWarning?.(`run ${run} did not converge in ${maxIter} iterations (tol ${tol}); raise maxIter or tol`);
    }
    if (best === undefined || lowerBound > best.lowerBound) {
      best = { params, converged, nIter, lowerBound, lowerBounds: history };
    }
  }
  checkAbort(signal);
  const finalStats = collectStats(model, best!.params, data);
  return { ...best!, runLowerBounds, monotonicityViolations: violations, finalStats };
}

/** Runs EM, giving the event loop a turn every few milliseconds; rejects with AbortError when aborted. */
export async function runEm<P, D>(model: EmModel<P, D>, data: readonly D[], options: EmOptions, rng = new Rng(options.seed)): Promise<EmResult<P>> {
  const it = emLoop(model, data, options, rng);
  for (;;) {
    const step = it.next();
    if (step.done) return step.value;
    await yieldToEventLoop();
  }
}

/** Runs EM to the end without yielding (for nested fits such as the k-means initialiser). */
export function runEmSync<P, D>(model: EmModel<P, D>, data: readonly D[], options: EmOptions, rng = new Rng(options.seed)): EmResult<P> {
  const it = emLoop(model, data, options, rng);
  for (;;) {
    const step = it.next();
    if (step.done) return step.value;
  }
}
