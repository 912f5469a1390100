import type { Workspace } from '../wasm/workspace.js';
import type { Emission } from './emission.js';
import { NK_FLOOR, type DataBlock } from './gaussian.js';
import { normalised } from './markov.js';
import { log } from '../core/fdlibm.js';

/**
 * Categorical emissions over symbols 0…M−1 (one integer feature): log p(x | c) = log B[c][x]. Statistics:
 * expected symbol counts per component (k×M). The gathers are table look-ups, cheap next to the recursion,
 * so they stay in TypeScript.
 */
export class CategoricalEmission implements Emission<Float64Array> {
  readonly statsLen: number;
  readonly groups = ['emissionProb'] as const;

  constructor(
    private readonly ws: Workspace,
    readonly k: number,
    readonly m: number,
    /** Dirichlet pseudo-count added to every expected symbol count (0: maximum likelihood). */
    private readonly prior = 0,
  ) {
    this.statsLen = k * m;
  }

  logProb(p: Float64Array, x: DataBlock, outPtr: number, shift?: Float64Array): void {
    const { k, m } = this;
    const sym = this.ws.f64(x.xPtr, x.n);
    const out = this.ws.f64(outPtr, k * x.n);
    const logB = p.map(log);
    for (let c = 0; c < k; c++) {
      const add = shift ? shift[c]! : 0;
      for (let i = 0; i < x.n; i++) out[c * x.n + i] = logB[c * m + sym[i]!]! + add;
    }
  }

  accumulate(x: DataBlock, rPtr: number, values: Float64Array, off: number): void {
    const { k, m } = this;
    const sym = this.ws.f64(x.xPtr, x.n);
    const r = this.ws.f64(rPtr, k * x.n);
    for (let c = 0; c < k; c++) for (let i = 0; i < x.n; i++) values[off + c * m + sym[i]!] += r[c * x.n + i]!;
  }

  counts(values: Float64Array, off: number): Float64Array {
    const out = new Float64Array(this.k);
    for (let c = 0; c < this.k; c++) for (let s = 0; s < this.m; s++) out[c] += values[off + c * this.m + s]!;
    return out;
  }

  mStep(values: Float64Array, off: number, prev?: Float64Array, update?: ReadonlySet<string>): Float64Array {
    const { k, m } = this;
    if (prev && update && !update.has('emissionProb')) return prev;
    const out = new Float64Array(k * m);
    const uniform = new Float64Array(m).fill(1 / m);
    for (let c = 0; c < k; c++) {
      const row = values.slice(off + c * m, off + (c + 1) * m).map((v) => v + this.prior);
      out.set(normalised(row, prev ? prev.subarray(c * m, (c + 1) * m) : uniform), c * m);
    }
    return out;
  }

  nParameters(): number {
    return this.k * (this.m - 1);
  }
}

/** log(x!) for non-negative integers: a table below 256, Stirling's series above (error < 1e-15 relative). */
const LOG_FACT = (() => {
  const t = new Float64Array(256);
  for (let i = 1; i < 256; i++) t[i] = t[i - 1]! + log(i);
  return t;
})();

export function logFactorial(x: number): number {
  if (x < 256) return LOG_FACT[x]!;
  const n = x + 1;
  const inv = 1 / n;
  const inv2 = inv * inv;
  return (n - 0.5) * log(n) - n + 0.5 * log(2 * Math.PI) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
}

/**
 * Independent Poisson counts per feature: log p(x | c) = Σ_j x_j log λ_cj − λ_cj − log x_j!. Statistics:
 * [N_c (k) | Σ r·x (k×d)] through the diag accumulation kernel; λ = Σ r·x / N (floored at 10·eps).
 */
export class PoissonEmission implements Emission<Float64Array> {
  readonly statsLen: number;
  readonly groups = ['lambdas'] as const;
  /** [Σ r (k) | Σ r·x (k×d)] for the kernel. */
  private readonly statsPtr: number;

  constructor(
    private readonly ws: Workspace,
    readonly k: number,
    readonly d: number,
  ) {
    this.statsLen = k + k * d;
    this.statsPtr = ws.alloc(k + k * d);
  }

  /** Σ_j log x_ij! per sample of a block (table look-ups below 256; recomputed per call: blocks are transient). */
  private factorials(x: DataBlock): Float64Array {
    const v = this.ws.f64(x.xPtr, x.n * x.d);
    const f = new Float64Array(x.n);
    for (let j = 0; j < x.d; j++) for (let i = 0; i < x.n; i++) f[i] += logFactorial(v[j * x.n + i]!);
    return f;
  }

  logProb(lambdas: Float64Array, x: DataBlock, outPtr: number, shift?: Float64Array): void {
    const { k, d } = this;
    const fact = this.factorials(x);
    const v = this.ws.f64(x.xPtr, x.n * x.d);
    const out = this.ws.f64(outPtr, k * x.n);
    for (let c = 0; c < k; c++) {
      let cst = shift ? shift[c]! : 0;
      for (let j = 0; j < d; j++) cst -= lambdas[c * d + j]!;
      const o = c * x.n;
      for (let i = 0; i < x.n; i++) out[o + i] = cst - fact[i]!;
      for (let j = 0; j < d; j++) {
        const ll = log(lambdas[c * d + j]!);
        for (let i = 0; i < x.n; i++) {
          const xv = v[j * x.n + i]!;
          if (xv !== 0) out[o + i] += xv * ll;
        }
      }
    }
  }

  accumulate(x: DataBlock, rPtr: number, values: Float64Array, off: number): void {
    const { ws, k, d } = this;
    ws.f64(this.statsPtr, k + k * d).fill(0);
    ws.k.gaussAccumulateDiag(x.xPtr, x.n, d, k, rPtr, this.statsPtr, this.statsPtr + k * 8, 0);
    const st = ws.f64(this.statsPtr, k + k * d);
    for (let p = 0; p < k + k * d; p++) values[off + p] += st[p]!;
  }

  counts(values: Float64Array, off: number): Float64Array {
    return values.slice(off, off + this.k);
  }

  mStep(values: Float64Array, off: number, prev?: Float64Array, update?: ReadonlySet<string>): Float64Array {
    const { k, d } = this;
    if (prev && update && !update.has('lambdas')) return prev;
    const out = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      const n = values[off + c]! + NK_FLOOR;
      for (let j = 0; j < d; j++) out[c * d + j] = Math.max(values[off + k + c * d + j]! / n, NK_FLOOR);
    }
    return out;
  }

  nParameters(): number {
    return this.k * this.d;
  }
}
