import type { DataBlock } from './gaussian.js';

/**
 * A component family seen from a latent structure (mixture or Markov chain): per-component log-densities,
 * responsibility-weighted statistics in a flat block, and an M-step from that block. The structure owns the
 * weights or transitions; the family owns everything about the components.
 */
export interface Emission<P> {
  /** Components (mixture) or states (HMM). */
  readonly k: number;
  /** Length of this family's statistics block. */
  readonly statsLen: number;
  /** Writes log p(x_i | c) + shift[c] into the k×n component-major block at outPtr. */
  logProb(params: P, x: DataBlock, outPtr: number, shift?: Float64Array): void;
  /** Adds the statistics of the weights r (k×n at rPtr, already times the sample weights) into values[off…]. */
  accumulate(x: DataBlock, rPtr: number, values: Float64Array, off: number): void;
  /** Σ_i r_ic per component, read from a statistics block. */
  counts(values: Float64Array, off: number): Float64Array;
  /**
   * Maximum-likelihood parameters from a statistics block. With `prev` and `update`, only the named parameter
   * groups are re-estimated (e.g. 'means'); the others keep their values from `prev`.
   */
  mStep(values: Float64Array, off: number, prev?: P, update?: ReadonlySet<string>): P;
  /** The names of this family's parameter groups (for `update`). */
  readonly groups: readonly string[];
  /** Free parameters of the family (for BIC/AIC). */
  nParameters(): number;
}
