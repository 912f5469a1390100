import { runEmSync, type EmModel, type Stats } from '../core/em.js';
import type { Rng } from '../core/rng.js';
import type { Matrix } from '../core/matrix.js';
import type { Workspace } from '../wasm/workspace.js';
import type { DataBlock } from './gaussian.js';
import { uploadWeights, type Frame } from './data.js';
import { log } from '../core/fdlibm.js';

/** A data block in the k-means kernels' layout: panels of four samples (assembly/kernels/kmeans.ts), ⌈n/4⌉·4·d f64. */
export interface PanelBlock {
  panelPtr: number;
  n: number;
  d: number;
  /** 0 when every weight is 1. */
  swPtr: number;
  /** Σ_i w_i. */
  weight: number;
}

/** A panel block with the per-sample buffers hard assignment needs. */
export interface KmBlock extends PanelBlock {
  labelsPtr: number; // Int32 × n
  distPtr: number; // f64 × n: squared distance to the assigned centre
}

/** Centres, k×d row-major (in the workspace's centred/scaled coordinates). */
export interface KmParams {
  centers: Float64Array;
}

export type KMeansInit = 'k-means++' | 'random' | Float64Array;

/** f64 slots of n samples of d features in panels. */
const panelSlots = (n: number, d: number): number => Math.ceil(n / 4) * 4 * d;

/** A feature-major block copied into panels (its weights shared). */
export function toPanels(ws: Workspace, x: DataBlock): PanelBlock {
  const panelPtr = ws.alloc(panelSlots(x.n, x.d));
  ws.k.kmeansPanels(x.xPtr, x.n, x.d, panelPtr);
  return { panelPtr, n: x.n, d: x.d, swPtr: x.swPtr, weight: x.weight };
}

/** Uploads the rows of m straight into panels, framed as uploadBlock frames them; weights alongside. */
export function uploadPanels(ws: Workspace, m: Matrix, frame: Frame, sw: Float64Array | undefined): PanelBlock {
  const { rows: n, cols: d } = m;
  const slots = panelSlots(n, d);
  const panelPtr = ws.alloc(slots);
  const p = ws.f64(panelPtr, slots);
  const inv = 1 / frame.scale;
  for (let i = 0; i < slots / d; i++) {
    const r = Math.min(i, n - 1) * d; // the last panel padded with the last row
    const o = (i >> 2) * 4 * d + (i & 3);
    for (let j = 0; j < d; j++) p[o + 4 * j] = (m.data[r + j]! - frame.centre[j]!) * inv;
  }
  return { panelPtr, n, d, ...uploadWeights(ws, sw, 0, n) };
}

/** A panel block with the per-sample buffers of hard assignment. */
export function kmBlock(ws: Workspace, x: PanelBlock): KmBlock {
  return { ...x, labelsPtr: ws.alloc(Math.ceil(x.n / 2)), distPtr: ws.alloc(x.n) };
}

/** f64 slots of kmeansAssign's work area for k centres of d features. */
export function kmeansAssignWork(k: number, d: number): number {
  return Math.ceil(k / 4) * 4 * (d + 1) + 8;
}

/** Row i of a panel block. */
export function rowOf(ws: Workspace, x: PanelBlock, i: number, out: Float64Array, off = 0): void {
  const v = ws.f64(x.panelPtr + 8 * ((i >> 2) * 4 * x.d + (i & 3)), 4 * (x.d - 1) + 1);
  for (let j = 0; j < x.d; j++) out[off + j] = v[4 * j]!;
}

/**
 * Greedy k-means++ (Arthur & Vassilvitskii; scikit-learn `_kmeans_plusplus`): each new centre is the best of
 * 2 + ⌊ln k⌋ candidates drawn with probability ∝ w_i·D(x_i)², the one that lowers the potential most.
 * Returns the centres (k×d) and the chosen sample indices.
 */
export function kmeansPlusPlus(ws: Workspace, x: PanelBlock, k: number, rng: Rng): { centers: Float64Array; indices: number[] } {
  return ws.scope(() => {
    const { n, d } = x;
    const centers = new Float64Array(k * d);
    const indices: number[] = [];
    const trials = 2 + Math.floor(log(k));
    const pointPtr = ws.alloc(d);
    const closestPtr = ws.alloc(n);
    const candPtr = ws.alloc(n);
    const bestPtr = ws.alloc(n);
    const sw = x.swPtr ? ws.f64(x.swPtr, n).slice() : undefined;
    const first = sw ? rng.categorical(sw, x.weight) : rng.int(n);
    const pick = (i: number, c: number): void => {
      rowOf(ws, x, i, centers, c * d);
      ws.f64(pointPtr, d).set(centers.subarray(c * d, (c + 1) * d));
      indices.push(i);
    };
    pick(first, 0);
    let pot = ws.k.kmeansPotential(x.panelPtr, n, d, pointPtr, 0, x.swPtr, closestPtr);
    const cum = new Float64Array(n);
    for (let c = 1; c < k; c++) {
      const closest = ws.f64(closestPtr, n);
      let acc = 0;
      for (let i = 0; i < n; i++) cum[i] = acc += (sw ? sw[i]! : 1) * closest[i]!;
      let bestPot = Infinity;
      let bestId = -1;
      for (let t = 0; t < trials; t++) {
        const id = Math.min(searchSorted(cum, rng.random() * pot), n - 1);
        rowOf(ws, x, id, ws.f64(pointPtr, d));
        const p = ws.k.kmeansPotential(x.panelPtr, n, d, pointPtr, closestPtr, x.swPtr, candPtr);
        if (p < bestPot) {
          bestPot = p;
          bestId = id;
          ws.f64(bestPtr, n).set(ws.f64(candPtr, n));
        }
      }
      pot = bestPot;
      ws.f64(closestPtr, n).set(ws.f64(bestPtr, n));
      pick(bestId, c);
    }
    return { centers, indices };
  });
}

/** First index whose cumulative value is ≥ v (numpy searchsorted, side='left'). */
function searchSorted(cum: Float64Array, v: number): number {
  let lo = 0;
  let hi = cum.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cum[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** k distinct samples drawn uniformly (Floyd's algorithm, in draw order). */
export function randomDistinct(n: number, k: number, rng: Rng): number[] {
  const chosen = new Set<number>();
  const out: number[] = [];
  for (let j = n - k; j < n; j++) {
    const t = rng.int(j + 1);
    const v = chosen.has(t) ? j : t;
    chosen.add(v);
    out.push(v);
  }
  return out;
}

/**
 * Lloyd's algorithm as hard-assignment EM: the E-step assigns each sample to its nearest centre and sums
 * the samples per centre; the M-step moves each centre to its cluster's mean. Empty clusters take the
 * samples farthest from their centres (scikit-learn `_relocate_empty_clusters`). The tracked bound is
 * −inertia / Σw, which never decreases.
 */
export class HardAssignmentEm implements EmModel<KmParams, KmBlock> {
  private changed = true;

  constructor(
    private readonly ws: Workspace,
    private readonly k: number,
    private readonly d: number,
    private readonly init0: KMeansInit,
    /** Convergence threshold on Σ‖Δcentre‖² (already scaled by the data variance); 0 runs every iteration. */
    private readonly shiftTol: number,
  ) {}

  init(data: readonly KmBlock[], rng: Rng): KmParams {
    const x = data[0]!;
    this.changed = true;
    this.ws.i32(x.labelsPtr, x.n).fill(-1);
    if (this.init0 instanceof Float64Array) return { centers: this.init0.slice() };
    if (this.init0 === 'k-means++') return { centers: kmeansPlusPlus(this.ws, x, this.k, rng).centers };
    const centers = new Float64Array(this.k * this.d);
    randomDistinct(x.n, this.k, rng).forEach((i, c) => rowOf(this.ws, x, i, centers, c * this.d));
    return { centers };
  }

  zeroStats(): Stats {
    return { values: new Float64Array(this.k + this.k * this.d), logLik: 0, weight: 0 };
  }

  eStep(params: KmParams, x: KmBlock, into: Stats): void {
    const { ws, k, d } = this;
    ws.scope(() => {
      const cPtr = ws.put(params.centers);
      const workPtr = ws.alloc(kmeansAssignWork(k, d));
      const sumsPtr = ws.zeros(k * d + k + 1);
      const countsPtr = sumsPtr + 8 * k * d;
      const changedPtr = countsPtr + 8 * k;
      // Assignment, distances and the per-cluster sums in one pass over the data; labels are compared with the
      // previous ones (scikit-learn's strict convergence: no label changed) as they are overwritten.
      const inertia = ws.k.kmeansAssign(x.panelPtr, x.n, d, cPtr, k, x.labelsPtr, x.distPtr, x.swPtr, sumsPtr, countsPtr, changedPtr, workPtr);
      const v = into.values;
      const out = ws.f64(sumsPtr, k * d + k);
      for (let c = 0; c < k; c++) v[c] += out[k * d + c]!;
      for (let p = 0; p < k * d; p++) v[k + p] += out[p]!;
      into.logLik -= inertia;
      into.weight += x.weight;
      this.changed = ws.i32(changedPtr, 1)[0] !== 0;
    });
    this.lastBlock = x;
  }

  private lastBlock: KmBlock | undefined;

  mStep(stats: Stats, prev: KmParams): KmParams {
    const { k, d } = this;
    const counts = stats.values.slice(0, k);
    const sums = stats.values.slice(k);
    this.relocateEmpty(counts, sums, prev);
    const centers = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) centers[c * d + j] = counts[c]! > 0 ? sums[c * d + j]! / counts[c]! : prev.centers[c * d + j]!;
    }
    return { centers };
  }

  /** Moves each empty cluster onto one of the samples farthest from their assigned centres. */
  private relocateEmpty(counts: Float64Array, sums: Float64Array, prev: KmParams): void {
    const { ws, k, d } = this;
    const empty: number[] = [];
    for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
    const x = this.lastBlock;
    if (empty.length === 0 || !x) return;
    const dist = ws.f64(x.distPtr, x.n).slice();
    const labels = ws.i32(x.labelsPtr, x.n).slice();
    const sw = x.swPtr ? ws.f64(x.swPtr, x.n).slice() : undefined;
    const order = Array.from({ length: x.n }, (_, i) => i).sort((a, b) => dist[b]! - dist[a]! || a - b);
    const row = new Float64Array(d);
    let used = 0;
    for (const c of empty) {
      // Skip zero-weight samples: they cannot hold a cluster.
      while (used < order.length && sw && sw[order[used]!] === 0) used++;
      if (used >= order.length) break;
      const i = order[used++]!;
      const w = sw ? sw[i]! : 1;
      const old = labels[i]!;
      rowOf(ws, x, i, row);
      for (let j = 0; j < d; j++) {
        sums[old * d + j] -= row[j]! * w;
        sums[c * d + j] = row[j]! * w;
      }
      counts[c] = w;
      counts[old] -= w;
    }
    void prev;
  }

  bound(stats: Stats): number {
    return stats.logLik / stats.weight;
  }

  stop(prev: KmParams, next: KmParams): boolean {
    if (this.shiftTol <= 0) return false;
    if (!this.changed) return true;
    let shift = 0;
    for (let p = 0; p < next.centers.length; p++) {
      const t = next.centers[p]! - prev.centers[p]!;
      shift += t * t;
    }
    return shift <= this.shiftTol;
  }
}

/** Greedy k-means++ then Lloyd to convergence on one block (the initialiser of mixtures and HMMs). */
export function kmeansSync(ws: Workspace, x: DataBlock, k: number, rng: Rng, shiftTol: number): { centers: Float64Array; labels: Int32Array } {
  return ws.scope(() => {
    const block = kmBlock(ws, toPanels(ws, x));
    const r = runEmSync(new HardAssignmentEm(ws, k, x.d, 'k-means++', shiftTol), [block], { maxIter: 300, tol: shiftTol, nInit: 1, seed: 0 }, rng);
    return { centers: r.params.centers, labels: ws.i32(block.labelsPtr, x.n).slice() };
  });
}
