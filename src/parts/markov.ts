import type { EmModel, Stats } from '../core/em.js';
import type { Rng } from '../core/rng.js';
import type { Workspace } from '../wasm/workspace.js';
import type { Emission } from './emission.js';
import type { DataBlock } from './gaussian.js';
import { log } from '../core/fdlibm.js';

/** Hidden Markov model parameters: the chain and the state emissions. */
export interface HmmParams<P> {
  startProb: Float64Array; // k
  transMat: Float64Array; // k×k row-major, transMat[i*k+j] = P(j | i)
  emission: P;
}

export interface MarkovSpec<P> {
  init(data: readonly DataBlock[], rng: Rng, run: number): HmmParams<P>;
  /** Parameter groups re-estimated by the M-step: 'startProb', 'transMat' and the emission's groups. */
  update: ReadonlySet<string>;
  /** Dirichlet pseudo-counts added to the expected start and transition counts (0: maximum likelihood). */
  startPrior: number;
  transPrior: number;
}

/** f64 slots of scratch the forward–backward kernel needs (see assembly/kernels/hmm.ts). */
export function forwardBackwardWork(t: number, k: number): number {
  const kp = k + (k & 1);
  return 2 * t * kp + t + 3 * kp * kp + 4 * kp + 16;
}

/** f64 slots of scratch the Viterbi kernel needs. */
export function viterbiWork(t: number, k: number): number {
  const kp = k + (k & 1);
  return kp * kp + 2 * kp + Math.ceil((t * kp) / 2) + 16;
}

/**
 * The Markov-chain latent structure over any emission family; each data block is one sequence. E-step: the
 * family's log-densities, then one scaled forward–backward (wasm) giving the state posteriors γ and the
 * expected transition counts Σξ; statistics = [γ₀ (k) | Σξ (k×k) | the family's statistics weighted by γ].
 * M-step: normalised counts (plus pseudo-counts), the family's M-step. Rows with no expected counts keep their
 * previous values, so structural zeros stay zero. The bound is the total log-likelihood (hmmlearn).
 */
export class MarkovChainEm<P> implements EmModel<HmmParams<P>, DataBlock> {
  readonly statsLen: number;
  private readonly logBPtr: number;
  private readonly gammaPtr: number;
  private readonly startPtr: number;
  private readonly transPtr: number;
  private readonly xiPtr: number;
  private readonly workPtr: number;
  private uploaded: HmmParams<P> | undefined;

  constructor(
    private readonly ws: Workspace,
    readonly emission: Emission<P>,
    private readonly spec: MarkovSpec<P>,
    maxT: number,
  ) {
    const k = emission.k;
    this.statsLen = k + k * k + emission.statsLen;
    this.logBPtr = ws.alloc(k * maxT);
    this.gammaPtr = ws.alloc(k * maxT);
    this.startPtr = ws.alloc(k);
    this.transPtr = ws.alloc(k * k);
    this.xiPtr = ws.alloc(k * k);
    this.workPtr = ws.alloc(Math.max(forwardBackwardWork(maxT, k), viterbiWork(maxT, k)));
  }

  get k(): number {
    return this.emission.k;
  }

  init(data: readonly DataBlock[], rng: Rng, run: number): HmmParams<P> {
    return this.spec.init(data, rng, run);
  }

  zeroStats(): Stats {
    return { values: new Float64Array(this.statsLen), logLik: 0, weight: 0 };
  }

  private upload(p: HmmParams<P>): void {
    if (p === this.uploaded) return;
    this.ws.f64(this.startPtr, this.k).set(p.startProb);
    this.ws.f64(this.transPtr, this.k * this.k).set(p.transMat);
    this.uploaded = p;
  }

  /** Emission log-densities of one sequence into the k×t buffer; returns its pointer. */
  logB(p: HmmParams<P>, x: DataBlock): number {
    this.emission.logProb(p.emission, x, this.logBPtr);
    return this.logBPtr;
  }

  /** Forward–backward on one sequence: γ at the returned pointer (k×t), Σξ added into the ξ buffer if asked. */
  posteriors(p: HmmParams<P>, x: DataBlock, withXi: boolean): { logLik: number; gammaPtr: number } {
    this.upload(p);
    this.logB(p, x);
    const logLik = this.ws.k.hmmForwardBackward(this.logBPtr, x.n, this.k, this.startPtr, this.transPtr, this.gammaPtr, withXi ? this.xiPtr : 0, this.workPtr);
    return { logLik, gammaPtr: this.gammaPtr };
  }

  /** Log-likelihood of one sequence (forward pass only). */
  logLikelihood(p: HmmParams<P>, x: DataBlock): number {
    this.upload(p);
    this.logB(p, x);
    return this.ws.k.hmmForwardBackward(this.logBPtr, x.n, this.k, this.startPtr, this.transPtr, 0, 0, this.workPtr);
  }

  /** Most likely state path of one sequence into `statesPtr` (Int32 × t); returns its log-probability. */
  viterbi(p: HmmParams<P>, x: DataBlock, statesPtr: number): number {
    const { ws, k } = this;
    this.logB(p, x);
    ws.f64(this.startPtr, k).set(p.startProb.map(log));
    ws.f64(this.transPtr, k * k).set(p.transMat.map(log));
    this.uploaded = undefined;
    return ws.k.hmmViterbi(this.logBPtr, x.n, k, this.startPtr, this.transPtr, statesPtr, this.workPtr);
  }

  eStep(params: HmmParams<P>, x: DataBlock, into: Stats): void {
    const { ws, k } = this;
    ws.f64(this.xiPtr, k * k).fill(0);
    const { logLik, gammaPtr } = this.posteriors(params, x, true);
    into.logLik += logLik;
    into.weight += x.n;
    if (logLik === -Infinity) return;
    const v = into.values;
    const gamma = ws.f64(gammaPtr, k * x.n);
    for (let s = 0; s < k; s++) v[s] += gamma[s * x.n]!;
    const xi = ws.f64(this.xiPtr, k * k);
    for (let p = 0; p < k * k; p++) v[k + p] += xi[p]!;
    this.emission.accumulate(x, gammaPtr, v, k + k * k);
  }

  mStep(stats: Stats, prev: HmmParams<P>): HmmParams<P> {
    const { k, spec } = this;
    const v = stats.values;
    const allowed = (counts: Float64Array, prevRow: Float64Array, prior: number): Float64Array =>
      // Pseudo-counts go only where the previous parameters allow mass: structural zeros stay zero.
      normalised(counts.map((c, j) => (prevRow[j]! > 0 ? c + prior : 0)), prevRow);
    const startProb = spec.update.has('startProb') ? allowed(v.subarray(0, k), prev.startProb, spec.startPrior) : prev.startProb;
    let transMat = prev.transMat;
    if (spec.update.has('transMat')) {
      transMat = new Float64Array(k * k);
      for (let i = 0; i < k; i++) {
        transMat.set(allowed(v.subarray(k + i * k, k + (i + 1) * k), prev.transMat.subarray(i * k, (i + 1) * k), spec.transPrior), i * k);
      }
    }
    return { startProb, transMat, emission: this.emission.mStep(v, k + k * k, prev.emission, spec.update) };
  }

  bound(stats: Stats): number {
    return stats.logLik;
  }
}

/** counts normalised to sum 1; `fallback` when nothing was counted. */
export function normalised(counts: Float64Array, fallback: Float64Array): Float64Array {
  const out = counts.slice();
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i]!;
  if (!(s > 0)) return fallback.slice();
  for (let i = 0; i < out.length; i++) out[i] /= s;
  return out;
}
