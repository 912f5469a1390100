import { ShapeError, ValidationError } from './errors.js';

/** A row-major matrix: `data[i * cols + j]` is sample i, feature j. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

/** What the public API accepts as data: rows of samples, one feature, or a Matrix. */
export type MatrixInput = number[][] | readonly (readonly number[])[] | number[] | readonly number[] | Matrix;

function isMatrix(x: unknown): x is Matrix {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'data' in x && 'rows' in x && 'cols' in x;
}

/**
 * Validates `x` and returns a row-major copy-free view (`Matrix` inputs are read, never written).
 * Rejects empty data, ragged rows, non-numbers, NaN and ±Infinity, naming the first offending cell.
 */
export function toMatrix(x: MatrixInput, name = 'X'): Matrix {
  let m: Matrix;
  if (isMatrix(x)) {
    const { data, rows, cols } = x;
    if (!(data instanceof Float64Array)) throw new ValidationError(`${name}.data must be a Float64Array, got ${describe(data)}`);
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new ShapeError(`${name} must have non-negative integer rows and cols, got ${String(rows)}×${String(cols)}`);
    }
    if (data.length !== rows * cols) throw new ShapeError(`${name}.data must hold rows×cols = ${rows * cols} values, got ${data.length}`);
    m = { data, rows, cols };
  } else if (Array.isArray(x)) {
    const rows = x.length;
    if (rows > 0 && Array.isArray(x[0])) {
      const cols = (x[0] as readonly number[]).length;
      const data = new Float64Array(rows * cols);
      for (let i = 0; i < rows; i++) {
        const r = x[i] as unknown;
        if (!Array.isArray(r)) throw new ShapeError(`${name} row ${i} must be an array of ${cols} numbers, got ${describe(r)}`);
        if (r.length !== cols) throw new ShapeError(`${name} is ragged: row 0 has ${cols} values, row ${i} has ${r.length}`);
        for (let j = 0; j < cols; j++) {
          const v = r[j] as unknown;
          if (typeof v !== 'number') throw new ValidationError(`${name} must hold finite numbers, got ${describe(v)} at row ${i}, column ${j}`);
          data[i * cols + j] = v;
        }
      }
      m = { data, rows, cols };
    } else {
      const data = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        const v = x[i] as unknown;
        if (Array.isArray(v)) throw new ShapeError(`${name} mixes numbers and arrays (row ${i})`);
        if (typeof v !== 'number') throw new ValidationError(`${name} must hold finite numbers, got ${describe(v)} at row ${i}, column 0`);
        data[i] = v;
      }
      m = { data, rows, cols: 1 };
    }
  } else {
    throw new ValidationError(`${name} must be number[][], number[] or { data: Float64Array, rows, cols }, got ${describe(x)}`);
  }
  if (m.rows === 0 || m.cols === 0) throw new ShapeError(`${name} must be non-empty, got ${m.rows}×${m.cols}`);
  checkCells(m, name);
  return m;
}

function checkCells(m: Matrix, name: string): void {
  const { data, cols } = m;
  for (let p = 0; p < data.length; p++) {
    if (!Number.isFinite(data[p])) {
      const i = Math.floor(p / cols);
      const j = p - i * cols;
      throw new ValidationError(`${name} must hold finite numbers, got ${data[p]} at row ${i}, column ${j}`);
    }
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Validates per-sample weights: length n, finite, ≥ 0, not all zero. Returns a copy. */
export function toSampleWeight(w: ArrayLike<number> | undefined, n: number, name = 'sampleWeight'): Float64Array | undefined {
  if (w === undefined) return undefined;
  if (!Array.isArray(w) && !ArrayBuffer.isView(w)) throw new ValidationError(`${name} must be an array of ${n} numbers, got ${describe(w)}`);
  if (w.length !== n) throw new ShapeError(`${name} must have one weight per sample (${n}), got ${w.length}`);
  const out = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = w[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new ValidationError(`${name} must hold finite non-negative numbers, got ${typeof v === 'number' ? String(v) : describe(v)} at ${i}`);
    }
    out[i] = v;
    total += v;
  }
  if (!(total > 0)) throw new ValidationError(`${name} must have a positive sum, got ${total}`);
  return out;
}

/** A row-major `number[][]` from flat row-major data. */
export function toRows(data: ArrayLike<number>, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows; i++) out.push(Array.from({ length: cols }, (_, j) => data[i * cols + j]!));
  return out;
}

/** Checks that `v` is an integer in [lo, hi]; returns it. */
export function intOption(v: unknown, name: string, lo: number, hi = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    const range = hi === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${lo}` : `an integer in [${lo}, ${hi}]`;
    throw new ValidationError(`${name} must be ${range}, got ${typeof v === 'number' ? String(v) : describe(v)}`);
  }
  return v;
}

/** Checks that `v` is a finite number ≥ lo; returns it. */
export function numOption(v: unknown, name: string, lo = 0): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo) {
    throw new ValidationError(`${name} must be a finite number ≥ ${lo}, got ${typeof v === 'number' ? String(v) : describe(v)}`);
  }
  return v;
}

/** Rejects option names that are not in `allowed` (catches typos such as `ncomponents`). */
export function checkOptionNames(options: object, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new ValidationError(`${where}: unknown option "${key}"; expected one of ${allowed.join(', ')}`);
    }
  }
}
