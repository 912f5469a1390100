/** First byte past the module's static data: where the TypeScript arena may start. */
export function heapBase(): usize {
  return __heap_base;
}

/** Σ_i x[i] · w[i] over n values (w = 0 means all ones). */
export function weightedSum(xPtr: usize, n: i32, wPtr: usize): f64 {
  let acc = f64x2.splat(0);
  const n2 = n & ~1;
  if (wPtr == 0) {
    for (let i = 0; i < n2; i += 2) acc = f64x2.add(acc, v128.load(xPtr + (<usize>i << 3)));
  } else {
    for (let i = 0; i < n2; i += 2) {
      const o = <usize>i << 3;
      acc = f64x2.add(acc, f64x2.mul(v128.load(xPtr + o), v128.load(wPtr + o)));
    }
  }
  let s = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  if (n & 1) {
    const o = <usize>(n - 1) << 3;
    s += wPtr == 0 ? load<f64>(xPtr + o) : load<f64>(xPtr + o) * load<f64>(wPtr + o);
  }
  return s;
}
