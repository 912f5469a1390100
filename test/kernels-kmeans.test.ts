import { describe, expect, it } from 'vitest';
import { loadRuntime } from '../src/wasm/load.js';
import { testRng } from './helpers/close.js';
import { kmeansAssignRef, kmeansCentreSumsRef, kmeansPotentialRef } from './reference/kmeans.js';

const ws = (await loadRuntime()).sync;

/** The work size kmeansAssign documents (k·d + 10 f64), not the caller's generous 64·k·d + 64·k. */
const assignWork = (k: number, d: number) => k * d + 10;

function assign(x: number[], n: number, d: number, centers: number[], k: number, sw?: number[], wantDist = true) {
  return ws.scope(() => {
    const xPtr = ws.put(x);
    const cPtr = ws.put(centers);
    const labelsPtr = ws.alloc(Math.ceil(n / 2));
    const distPtr = wantDist ? ws.alloc(n) : 0;
    const swPtr = sw ? ws.put(sw) : 0;
    const workPtr = ws.alloc(assignWork(k, d));
    const inertia = ws.k.kmeansAssign(xPtr, n, d, cPtr, k, labelsPtr, distPtr, swPtr, workPtr);
    return {
      labels: Int32Array.from(ws.i32(labelsPtr, n)),
      minDist: wantDist ? Float64Array.from(ws.f64(distPtr, n)) : undefined,
      inertia,
    };
  });
}

function centreSums(x: number[], n: number, d: number, labels: ArrayLike<number>, k: number, sw: number[] | undefined, sums0: number[], counts0: number[]) {
  return ws.scope(() => {
    const xPtr = ws.put(x);
    const labelsPtr = ws.alloc(Math.ceil(n / 2));
    ws.i32(labelsPtr, n).set(labels);
    const swPtr = sw ? ws.put(sw) : 0;
    const sumsPtr = ws.put(sums0);
    const countsPtr = ws.put(counts0);
    ws.k.kmeansCentreSums(xPtr, n, d, labelsPtr, swPtr, k, sumsPtr, countsPtr);
    return { sums: Float64Array.from(ws.f64(sumsPtr, k * d)), counts: Float64Array.from(ws.f64(countsPtr, k)) };
  });
}

function potential(x: number[], n: number, d: number, point: number[], closest?: number[], sw?: number[]) {
  return ws.scope(() => {
    const xPtr = ws.put(x);
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

// Distances are Σ_j (x_j − c_j)² in order j = 0 … d−1 in kernel and reference alike, so labels and distances agree
// exactly; only the inertia's sum over samples runs in another order (1e-13 relative).
const shapes: [number, number, number][] = [
  [1, 1, 1], [1, 3, 2], [3, 2, 1], [7, 3, 5], [8, 2, 3], [1001, 16, 8], [1001, 5, 13], [64, 16, 12], [1000, 2, 3],
  [333, 7, 4], [17, 1, 9], [100, 16, 16], [102, 16, 9], [1002, 3, 7], [6, 4, 4], [2, 2, 5],
];

describe('kmeansAssign agrees with the naive reference', () => {
  for (const [n, d, k] of shapes) {
    for (const weighted of [false, true]) {
      it(`n=${n}, d=${d}, k=${k}${weighted ? ', weighted (zeros included)' : ''}`, () => {
        const rand = testRng(n * 1000 + d * 10 + k + (weighted ? 5 : 0));
        const { x, centers } = data(rand, n, d, k);
        const sw = weighted ? weights(rand, n) : undefined;
        const got = assign(x, n, d, centers, k, sw);
        const ref = kmeansAssignRef(x, n, d, centers, k, sw);
        expect(Array.from(got.labels)).toEqual(Array.from(ref.labels));
        expect(Array.from(got.minDist!)).toEqual(Array.from(ref.minDist));
        expectRel(got.inertia, ref.inertia, 1e-13, 'inertia');
      });
    }
  }

  it('without minDistPtr labels and inertia are unchanged', () => {
    const rand = testRng(2);
    const { x, centers } = data(rand, 99, 4, 6);
    const a = assign(x, 99, 4, centers, 6, undefined, true);
    const b = assign(x, 99, 4, centers, 6, undefined, false);
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(b.inertia).toBe(a.inertia);
  });

  it('ties go to the lowest centre (duplicated centres inside and across blocks of 8 and 4)', () => {
    const rand = testRng(3);
    const n = 41;
    const d = 3;
    const { x, centers } = data(rand, n, d, 4);
    // k = 13: rows 0…3 random, then copies so that every block (8, 4, single) holds duplicates of earlier rows.
    const dup = [...centers];
    for (const src of [2, 0, 3, 1, 2, 0, 3, 1, 1]) dup.push(...centers.slice(src * d, src * d + d));
    const got = assign(x, n, d, dup, 13);
    const ref = kmeansAssignRef(x, n, d, dup, 13);
    expect(Array.from(got.labels)).toEqual(Array.from(ref.labels));
    for (const l of got.labels) expect(l).toBeLessThan(4);
    // Points exactly halfway between two centres: 1-D, centres at −1 and +1 (and again at 5, 6 with ±1 copies).
    const mid = assign([0, 0, 0], 3, 1, [1, -1, 1, -1], 4);
    expect(Array.from(mid.labels)).toEqual([0, 0, 0]);
    const mid2 = assign([0, 2, 0], 3, 1, [5, -1, 1, 3], 4);
    expect(Array.from(mid2.labels)).toEqual([1, 2, 1]);
  });

  it('coordinates near ±1e150: distances exact where ‖x‖² − 2x·c + ‖c‖² would cancel', () => {
    for (const sign of [1, -1]) {
      const rand = testRng(sign > 0 ? 4 : 5);
      const n = 1001;
      const d = 16;
      const k = 8;
      // Spread 1e-3 relative: squared distances ≈ 1e294·d, far below overflow, far below ‖x‖² ≈ 1e300·d.
      const { x, centers } = data(rand, n, d, k, sign * 1e150, 1e-3);
      const got = assign(x, n, d, centers, k);
      const ref = kmeansAssignRef(x, n, d, centers, k);
      expect(Array.from(got.labels)).toEqual(Array.from(ref.labels));
      for (let i = 0; i < n; i++) expectRel(got.minDist![i]!, ref.minDist[i]!, 1e-13, `minDist[${i}]`);
      expectRel(got.inertia, ref.inertia, 1e-13, 'inertia');
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
    const ref = kmeansAssignRef(x, n, d, centers, k);
    expect(Array.from(got.labels)).toEqual(Array.from(ref.labels));
    for (let i = 0; i < n; i++) expectRel(got.minDist![i]!, ref.minDist[i]!, 1e-13, `minDist[${i}]`);
    expect(Number.isFinite(got.inertia)).toBe(true);
  });
});

describe('kmeansCentreSums agrees with the naive reference and adds to its outputs', () => {
  for (const [n, d, k] of shapes) {
    for (const weighted of [false, true]) {
      it(`n=${n}, d=${d}, k=${k}${weighted ? ', weighted (zeros included)' : ''}`, () => {
        const rand = testRng(n * 977 + d * 13 + k + (weighted ? 3 : 0));
        const { x } = data(rand, n, d, 1, 1, 1);
        const labels = Array.from({ length: n }, () => Math.floor(rand() * k));
        const sw = weighted ? weights(rand, n) : undefined;
        const sums0 = Array.from({ length: k * d }, () => rand() - 0.5);
        const counts0 = Array.from({ length: k }, () => rand());
        const got = centreSums(x, n, d, labels, k, sw, sums0, counts0);
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
          expect(Math.abs(got.sums[q]! - e), `sums[${q}]`).toBeLessThanOrEqual(1e-13 * (mag[q]! + Math.abs(sums0[q]!)));
        }
        for (let c = 0; c < k; c++) {
          const e = counts0[c]! + ref.counts[c]!;
          expect(Math.abs(got.counts[c]! - e), `counts[${c}]`).toBeLessThanOrEqual(1e-13 * (cmag[c]! + counts0[c]!));
        }
      });
    }
  }

  it('coordinates near ±1e150', () => {
    const rand = testRng(9);
    const n = 1001;
    const d = 3;
    const k = 4;
    const { x } = data(rand, n, d, 1, -1e150, 1e-3);
    const labels = Array.from({ length: n }, (_, i) => i % k);
    const got = centreSums(x, n, d, labels, k, undefined, new Array(k * d).fill(0), new Array(k).fill(0));
    const ref = kmeansCentreSumsRef(x, n, d, labels, k);
    for (let q = 0; q < k * d; q++) expectRel(got.sums[q]!, ref.sums[q]!, 1e-13, `sums[${q}]`);
    expect(Array.from(got.counts)).toEqual([251, 250, 250, 250]);
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
