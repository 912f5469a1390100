import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../src/wasm/load.js';
import { testRng } from './helpers/close.js';
import { dist2Ref, expansionBound, gamma, kmeansAssignRef, kmeansCentreSumsRef, kmeansPotentialRef } from './reference/kmeans.js';

const ws = (await loadRuntime()).sync;

/** The work size kmeansAssign documents (⌈k/4⌉·4·(d + 1) + 8 f64), not a generous one. */
const assignWork = (k: number, d: number) => Math.ceil(k / 4) * 4 * (d + 1) + 8;

/** Feature-major x (x[j*n+i]) into wasm memory as the kernels' panels, through kmeansPanels. */
function putPanels(x: number[], n: number, d: number): number {
  const colPtr = ws.put(x);
  const ptr = ws.alloc(Math.ceil(n / 4) * 4 * d);
  ws.k.kmeansPanels(colPtr, n, d, ptr);
  return ptr;
}

interface AssignOptions {
  sw?: number[] | undefined;
  wantDist?: boolean;
  /** Accumulate into these sums (k·d) and counts (k); without them no sums are asked for (sumsPtr = 0). */
  sums0?: number[];
  counts0?: number[];
  /** The labels buffer's contents before the call (the kernel counts how many it changes). */
  prevLabels?: number[];
}

function assign(x: number[], n: number, d: number, centers: number[], k: number, o: AssignOptions = {}) {
  const wantDist = o.wantDist ?? true;
  return ws.scope(() => {
    const xPtr = putPanels(x, n, d);
    const cPtr = ws.put(centers);
    const labelsPtr = ws.alloc(Math.ceil(n / 2));
    ws.i32(labelsPtr, n).set(o.prevLabels ?? new Array(n).fill(-1));
    const distPtr = wantDist ? ws.alloc(n) : 0;
    const swPtr = o.sw ? ws.put(o.sw) : 0;
    const sumsPtr = o.sums0 ? ws.put(o.sums0) : 0;
    const countsPtr = o.counts0 ? ws.put(o.counts0) : 0;
    const changedPtr = ws.alloc(1);
    ws.i32(changedPtr, 1)[0] = -7;
    const workPtr = ws.alloc(assignWork(k, d));
    const inertia = ws.k.kmeansAssign(xPtr, n, d, cPtr, k, labelsPtr, distPtr, swPtr, sumsPtr, countsPtr, changedPtr, workPtr);
    return {
      labels: Int32Array.from(ws.i32(labelsPtr, n)),
      minDist: wantDist ? Float64Array.from(ws.f64(distPtr, n)) : undefined,
      sums: sumsPtr ? Float64Array.from(ws.f64(sumsPtr, k * d)) : undefined,
      counts: countsPtr ? Float64Array.from(ws.f64(countsPtr, k)) : undefined,
      changed: ws.i32(changedPtr, 1)[0]!,
      inertia,
    };
  });
}

function potential(x: number[], n: number, d: number, point: number[], closest?: number[], sw?: number[]) {
  return ws.scope(() => {
    const xPtr = putPanels(x, n, d);
    const pPtr = ws.put(point);
    const closestPtr = closest ? ws.put(closest) : 0;
    const swPtr = sw ? ws.put(sw) : 0;
    const outPtr = ws.alloc(n);
    const total = ws.k.kmeansPotential(xPtr, n, d, pPtr, closestPtr, swPtr, outPtr);
    return { out: Float64Array.from(ws.f64(outPtr, n)), total };
  });
}

/** Feature-major data around `scale` (x[j*n+i] = scale·(1 + spread·u)), and k centres drawn from the samples. */
function data(rand: () => number, n: number, d: number, k: number, scale = 1, spread = 1) {
  const x = Array.from({ length: n * d }, () => scale * (1 + spread * (2 * rand() - 1)));
  const centers: number[] = [];
  for (let c = 0; c < k; c++) {
    const i = Math.floor(rand() * n);
    for (let j = 0; j < d; j++) centers.push(x[j * n + i]! + scale * spread * 0.1 * (rand() - 0.5));
  }
  return { x, centers };
}

function weights(rand: () => number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i % 7 === 2 ? 0 : 0.25 + 2 * rand()));
}

function expectRel(a: number, e: number, rtol: number, what: string): void {
  expect(Math.abs(a - e), `${what}: got ${a}, expected ${e}`).toBeLessThanOrEqual(rtol * Math.abs(e));
}

/**
 * The kernel's labels against directly computed distances: every label is a true argmin up to the expansion's
 * rounding bound, d(l) ≤ d(c) + β_l + β_c (+ the reference's own rounding), and equals the naive argmin whenever the
 * runner-up is farther than that; minDist is the direct distance to the chosen centre (any summation order: within
 * 2γ_{d+2} of the reference's). Returns how many labels differed from the naive argmin.
 */
function checkLabels(x: number[], n: number, d: number, centers: number[], k: number, labels: Int32Array, minDist: Float64Array | undefined): number {
  const ref = kmeansAssignRef(x, n, d, centers, k);
  let differ = 0;
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    expect(l >= 0 && l < k, `label ${l} of sample ${i}`).toBe(true);
    const dl = dist2Ref(x, n, d, i, centers, l * d);
    const bl = expansionBound(x, n, d, i, centers, l * d);
    for (let c = 0; c < k; c++) {
      const dc = dist2Ref(x, n, d, i, centers, c * d);
      const slack = bl + expansionBound(x, n, d, i, centers, c * d) + gamma(d + 2) * (dl + dc);
      if (!(dl <= dc + slack)) expect.fail(`sample ${i}: label ${l} at ${dl}, but centre ${c} at ${dc} (bound ${slack})`);
    }
    if (l !== ref.labels[i]) differ++;
    if (minDist) {
      const e = 2 * gamma(d + 2) * dl;
      if (!(Math.abs(minDist[i]! - dl) <= e)) expect.fail(`minDist[${i}]: got ${minDist[i]}, direct ${dl} (bound ${e})`);
    }
  }
  return differ;
}

/** Σ w_i·minDist_i in sample order, from the kernel's own distances. */
function weightedTotal(minDist: Float64Array, sw?: number[]): number {
  let t = 0;
  minDist.forEach((v, i) => (t += (sw ? sw[i]! : 1) * v));
  return t;
}

/** Sums and counts (added to sums0, counts0) against the naive per-cluster sums for the same labels. */
function checkSums(x: number[], n: number, d: number, k: number, labels: Int32Array, sw: number[] | undefined, sums0: number[], counts0: number[], got: { sums?: Float64Array | undefined; counts?: Float64Array | undefined }): void {
  const ref = kmeansCentreSumsRef(x, n, d, labels, k, sw);
  // Tolerance against Σ|terms| per cell: any summation order is within n·2^-53 of it.
  const mag = new Float64Array(k * d);
  const cmag = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const w = sw ? sw[i]! : 1;
    cmag[labels[i]!] += w;
    for (let j = 0; j < d; j++) mag[labels[i]! * d + j] += Math.abs(w * x[j * n + i]!);
  }
  for (let q = 0; q < k * d; q++) {
    const e = sums0[q]! + ref.sums[q]!;
    expect(Math.abs(got.sums![q]! - e), `sums[${q}]`).toBeLessThanOrEqual(1e-13 * (mag[q]! + Math.abs(sums0[q]!)));
  }
  for (let c = 0; c < k; c++) {
    const e = counts0[c]! + ref.counts[c]!;
    expect(Math.abs(got.counts![c]! - e), `counts[${c}]`).toBeLessThanOrEqual(1e-13 * (cmag[c]! + counts0[c]!));
  }
}

const shapes: [number, number, number][] = [
  [1, 1, 1], [1, 3, 2], [3, 2, 1], [7, 3, 5], [8, 2, 3], [1001, 16, 8], [1001, 5, 13], [64, 16, 12], [1000, 2, 3],
  [333, 7, 4], [17, 1, 9], [100, 16, 16], [102, 16, 9], [1002, 3, 7], [6, 4, 4], [2, 2, 5], [5, 1, 2], [4, 1, 4],
];

describe('kmeansAssign: labels, distances, sums and counts against the naive reference', () => {
  for (const [n, d, k] of shapes) {
    for (const weighted of [false, true]) {
      it(`n=${n}, d=${d}, k=${k}${weighted ? ', weighted (zeros included)' : ''}`, () => {
        const rand = testRng(n * 1000 + d * 10 + k + (weighted ? 5 : 0));
        const { x, centers } = data(rand, n, d, k);
        const sw = weighted ? weights(rand, n) : undefined;
        const sums0 = Array.from({ length: k * d }, () => rand() - 0.5);
        const counts0 = Array.from({ length: k }, () => rand());
        const got = assign(x, n, d, centers, k, { sw, sums0, counts0 });
        // Uniform data and random centres: no near ties at these sizes, so the labels are the naive argmin.
        expect(checkLabels(x, n, d, centers, k, got.labels, got.minDist)).toBe(0);
        expectRel(got.inertia, weightedTotal(got.minDist!, sw), 1e-13, 'inertia');
        checkSums(x, n, d, k, got.labels, sw, sums0, counts0, got);
        expect(got.changed).toBe(n);
      });
    }
  }

  it('labels, distances and inertia are the same with and without minDist and sums', () => {
    const rand = testRng(2);
    const { x, centers } = data(rand, 99, 4, 6);
    const sw = weights(rand, 99);
    for (const w of [undefined, sw]) {
      const a = assign(x, 99, 4, centers, 6, { sw: w, sums0: new Array(24).fill(0), counts0: new Array(6).fill(0) });
      const b = assign(x, 99, 4, centers, 6, { sw: w, wantDist: false });
      expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
      expect(b.inertia).toBe(a.inertia);
    }
  });

  it("a sample's label and distance do not depend on its position (body of four, or the 1–3 left over)", () => {
    const rand = testRng(12);
    for (const [n, d, k] of [[11, 5, 6], [10, 16, 8], [9, 1, 3], [7, 2, 5]] as const) {
      const { x, centers } = data(rand, n, d, k);
      const base = assign(x, n, d, centers, k);
      for (let shift = 1; shift < 4; shift++) {
        // Rotate the samples: sample i moves to (i + shift) mod n, so body and tail samples trade places.
        const xr = new Array<number>(n * d);
        for (let j = 0; j < d; j++) for (let i = 0; i < n; i++) xr[j * n + ((i + shift) % n)] = x[j * n + i]!;
        const r = assign(xr, n, d, centers, k);
        for (let i = 0; i < n; i++) {
          expect(r.labels[(i + shift) % n]).toBe(base.labels[i]);
          expect(r.minDist![(i + shift) % n]).toBe(base.minDist![i]);
        }
      }
    }
  });

  it('counts the labels that change', () => {
    const rand = testRng(13);
    const n = 103;
    const { x, centers } = data(rand, n, 3, 5);
    const first = assign(x, n, 3, centers, 5);
    expect(first.changed).toBe(n);
    const prev = Array.from(first.labels);
    expect(assign(x, n, 3, centers, 5, { prevLabels: prev }).changed).toBe(0);
    const edited = prev.map((l, i) => (i % 10 === 3 || i === n - 1 ? (l + 1) % 5 : l));
    expect(assign(x, n, 3, centers, 5, { prevLabels: edited }).changed).toBe(11);
  });

  it('ties go to the lowest centre (duplicated centres inside and across blocks of four, and in the padding)', () => {
    const rand = testRng(3);
    const n = 41;
    const d = 3;
    const { x, centers } = data(rand, n, d, 4);
    // k = 13: rows 0…3 random, then copies so that every block of four (and the padded last one) holds duplicates.
    const dup = [...centers];
    for (const src of [2, 0, 3, 1, 2, 0, 3, 1, 1]) dup.push(...centers.slice(src * d, src * d + d));
    const got = assign(x, n, d, dup, 13);
    const ref = kmeansAssignRef(x, n, d, dup, 13);
    expect(Array.from(got.labels)).toEqual(Array.from(ref.labels));
    for (const l of got.labels) expect(l).toBeLessThan(4);
    // Points exactly halfway between two centres: 1-D, centres at −1 and +1 (ties are exact in ‖c‖² − 2x·c too).
    const mid = assign([0, 0, 0], 3, 1, [1, -1, 1, -1], 4);
    expect(Array.from(mid.labels)).toEqual([0, 0, 0]);
    const mid2 = assign([0, 2, 0], 3, 1, [5, -1, 1, 3], 4);
    expect(Array.from(mid2.labels)).toEqual([1, 2, 1]);
  });

  it('near ties: samples within 1e-16 … 1e-9 of the bisector get a true argmin up to the stated bound', () => {
    const rand = testRng(14);
    for (const [d, k] of [[16, 8], [5, 3], [2, 6]] as const) {
      const n = 1001;
      const centers = Array.from({ length: k * d }, () => 2 * rand() - 1);
      const x = new Array<number>(n * d);
      for (let i = 0; i < n; i++) {
        // The midpoint of two random centres, moved off it by a tiny random vector.
        const a = Math.floor(rand() * k);
        const b = (a + 1 + Math.floor(rand() * (k - 1))) % k;
        const eps = 10 ** (-16 + 7 * rand());
        for (let j = 0; j < d; j++) x[j * n + i] = 0.5 * (centers[a * d + j]! + centers[b * d + j]!) + eps * (2 * rand() - 1);
      }
      const got = assign(x, n, d, centers, k, { sums0: new Array(k * d).fill(0), counts0: new Array(k).fill(0) });
      // Here a few percent of the labels differ from the naive argmin (both are within the bound).
      checkLabels(x, n, d, centers, k, got.labels, got.minDist);
      // The same arithmetic on every call (no FMA, fixed order): repeated calls agree bit for bit.
      const again = assign(x, n, d, centers, k);
      expect(Array.from(again.labels)).toEqual(Array.from(got.labels));
      expect(Array.from(again.minDist!)).toEqual(Array.from(got.minDist!));
    }
  });

  it('centred data with clusters far from the origin (±1e3 spread 1): labels exact, distances direct', () => {
    const rand = testRng(15);
    const n = 1001;
    const d = 16;
    const k = 8;
    const { x, centers } = data(rand, n, d, k, 1e3, 1e-3);
    const got = assign(x, n, d, centers, k);
    // β ≈ 34·2^-53·3·16e6 ≈ 2e-7 against distances ≈ 16: no sample is that close to a tie here.
    expect(checkLabels(x, n, d, centers, k, got.labels, got.minDist)).toBe(0);
  });

  it('coordinates near ±1e150 (uncentred): labels within the bound, distances direct and finite', () => {
    for (const sign of [1, -1]) {
      const rand = testRng(sign > 0 ? 4 : 5);
      const n = 1001;
      const d = 16;
      const k = 8;
      // Spread 1e-3 relative: squared distances ≈ 1e294·d, far below overflow; ‖x‖² ≈ 1e300·d.
      const { x, centers } = data(rand, n, d, k, sign * 1e150, 1e-3);
      const got = assign(x, n, d, centers, k);
      checkLabels(x, n, d, centers, k, got.labels, got.minDist);
      expectRel(got.inertia, weightedTotal(got.minDist!), 1e-13, 'inertia');
      expect(new Set(got.labels).size).toBeGreaterThan(1);
    }
  });

  it('coordinates near 1e150 with centres spread ±1e150: no overflow at d = 16', () => {
    const rand = testRng(6);
    const n = 77;
    const d = 16;
    const k = 5;
    const { x, centers } = data(rand, n, d, k, 1e150, 1);
    const got = assign(x, n, d, centers, k);
    expect(checkLabels(x, n, d, centers, k, got.labels, got.minDist)).toBe(0);
    expect(Number.isFinite(got.inertia)).toBe(true);
  });

  it('sums near ±1e150', () => {
    const rand = testRng(9);
    const n = 1001;
    const d = 3;
    const k = 4;
    const { x } = data(rand, n, d, 1, -1e150, 1e-3);
    // Centres far apart along feature 0, so that sample i goes to centre i mod 4.
    const centers: number[] = [];
    for (let c = 0; c < k; c++) centers.push(-1e150 + c * 1e152, -1e150, -1e150);
    for (let i = 0; i < n; i++) x[i] = -1e150 + (i % k) * 1e152 + 1e147 * (rand() - 0.5);
    const got = assign(x, n, d, centers, k, { sums0: new Array(k * d).fill(0), counts0: new Array(k).fill(0) });
    expect(Array.from(got.labels)).toEqual(Array.from({ length: n }, (_, i) => i % k));
    const ref = kmeansCentreSumsRef(x, n, d, got.labels, k);
    for (let q = 0; q < k * d; q++) expectRel(got.sums![q]!, ref.sums[q]!, 1e-13, `sums[${q}]`);
    expect(Array.from(got.counts!)).toEqual([251, 250, 250, 250]);
  });
});

describe('kmeansPotential agrees with the naive reference', () => {
  for (const n of [1, 2, 3, 7, 8, 9, 15, 16, 17, 1001]) {
    for (const d of [1, 5, 16]) {
      it(`n=${n}, d=${d}: distances, min with closest, weights`, () => {
        const rand = testRng(n * 100 + d);
        const { x, centers: point } = data(rand, n, d, 1);
        const closest = Array.from({ length: n }, () => d * rand());
        const sw = weights(rand, n);
        for (const [cl, w] of [[undefined, undefined], [closest, undefined], [undefined, sw], [closest, sw]] as const) {
          const got = potential(x, n, d, point, cl as number[] | undefined, w as number[] | undefined);
          const ref = kmeansPotentialRef(x, n, d, point, cl, w);
          expect(Array.from(got.out)).toEqual(Array.from(ref.out));
          expectRel(got.total, ref.total, 1e-13, 'total');
        }
      });
    }
  }

  it('coordinates near 1e150', () => {
    const rand = testRng(10);
    const n = 99;
    const d = 16;
    const { x, centers: point } = data(rand, n, d, 1, 1e150, 1e-3);
    const got = potential(x, n, d, point);
    const ref = kmeansPotentialRef(x, n, d, point);
    for (let i = 0; i < n; i++) expectRel(got.out[i]!, ref.out[i]!, 1e-13, `out[${i}]`);
    expectRel(got.total, ref.total, 1e-13, 'total');
  });
});

describe('kmeansPanels', () => {
  it('writes x_j[i] at ((⌊i/4⌋·d + j)·4 + i mod 4) and pads the last panel with the last sample', () => {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 13]) {
      for (const d of [1, 2, 3, 16]) {
        const x = Array.from({ length: n * d }, (_, p) => p + 0.5);
        const got = ws.scope(() => Array.from(ws.f64(putPanels(x, n, d), Math.ceil(n / 4) * 4 * d)));
        const want = new Array<number>(Math.ceil(n / 4) * 4 * d);
        for (let i = 0; i < Math.ceil(n / 4) * 4; i++) {
          for (let j = 0; j < d; j++) want[(Math.floor(i / 4) * d + j) * 4 + (i % 4)] = x[j * n + Math.min(i, n - 1)]!;
        }
        expect(got, `n=${n}, d=${d}`).toEqual(want);
      }
    }
  });
});
