import { expect } from 'vitest';

/** Flattens nested arrays / typed arrays / Matrix-like objects into a number[]. */
export function flat(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (v && typeof v === 'object' && 'data' in v && 'rows' in v) return Array.from((v as { data: Float64Array }).data);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>).flatMap(flat);
  throw new Error(`flat: not numeric: ${String(v)}`);
}

/**
 * Asserts elementwise |a − e| ≤ rtol·max(|e|, floor·max|E|): relative agreement, with entries far below the
 * array's own magnitude (off-diagonal zeros, tiny probabilities) judged against that magnitude × floor.
 */
export function expectClose(actual: unknown, expected: unknown, rtol: number, what: string, floor = 1e-6): void {
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length, `${what}: length`).toBe(e.length);
  const scale = e.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i]! - e[i]!) / Math.max(Math.abs(e[i]!), floor * scale, Number.MIN_VALUE);
    if (!(err <= worst)) {
      worst = err;
      worstAt = i;
    }
  }
  expect(worst, `${what}: worst relative error at ${worstAt} (got ${a[worstAt]}, expected ${e[worstAt]})`).toBeLessThanOrEqual(rtol);
}

/** Deterministic PRNG for tests (mulberry32). */
export function testRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws from a uniform source (Box–Muller). */
export function normals(rand: () => number, n: number): number[] {
  const out: number[] = [];
  while (out.length < n) {
    const u = rand() || 1e-300;
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    out.push(r * Math.cos(2 * Math.PI * v), r * Math.sin(2 * Math.PI * v));
  }
  return out.slice(0, n);
}

/** Samples from a mixture of isotropic Gaussians: returns rows and true labels. */
export function blobs(rand: () => number, n: number, means: number[][], sd: number[]): { X: number[][]; y: number[] } {
  const X: number[][] = [];
  const y: number[] = [];
  const k = means.length;
  for (let i = 0; i < n; i++) {
    const c = i % k;
    const z = normals(rand, means[0]!.length);
    X.push(means[c]!.map((m, j) => m + sd[c]! * z[j]!));
    y.push(c);
  }
  return { X, y };
}
