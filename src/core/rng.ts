import { ValidationError } from './errors.js';
import { exp, log } from './fdlibm.js';

/**
 * Seeded PRNG: xoshiro128** on 32-bit integer arithmetic (Math.imul), so a seed gives the same stream on
 * every JavaScript engine and platform. Doubles take 53 random bits.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = NaN;

  constructor(seed: number = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER) {
      throw new ValidationError(`seed must be a non-negative safe integer, got ${String(seed)}`);
    }
    // splitmix32 expands the seed into four non-zero words.
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b9);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next() | 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform double in [0, 1). */
  random(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const s = this.spare;
      this.spare = NaN;
      return s;
    }
    for (;;) {
      const u = 2 * this.random() - 1;
      const v = 2 * this.random() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * log(s)) / s);
        this.spare = v * f;
        return u * f;
      }
    }
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * exp(log(this.random() || Number.MIN_VALUE) / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.random();
      if (u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v))) return d * v;
    }
  }

  /** A draw from Dirichlet(alpha, …, alpha) of length k. */
  dirichlet(k: number, alpha = 1): number[] {
    const g = Array.from({ length: k }, () => this.gamma(alpha));
    const s = g.reduce((a, b) => a + b, 0);
    return g.map((v) => v / s);
  }

  /** Index drawn with probability proportional to w (w ≥ 0, Σw > 0). */
  categorical(w: ArrayLike<number>, total?: number): number {
    let s = total ?? 0;
    if (total === undefined) for (let i = 0; i < w.length; i++) s += w[i]!;
    let u = this.random() * s;
    for (let i = 0; i < w.length; i++) {
      u -= w[i]!;
      if (u < 0) return i;
    }
    for (let i = w.length - 1; i >= 0; i--) if (w[i]! > 0) return i;
    return w.length - 1;
  }

  /** A fresh generator whose seed is drawn from this one: for independent restarts. */
  fork(): Rng {
    return new Rng(this.nextU32() * 2097152 + (this.nextU32() >>> 11));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
