// Periodicity of a metric series from its recent history (a ring buffer of the last values), for the
// seasonal features of the streaming anomaly detector (anomaly.ts).

/**
 * The dominant period (in points) of the last `size` values, or 0 when none is clear. Autocorrelation
 * on a 4x decimated copy keeps this cheap; the best lag is then refined at full resolution.
 */
export function estimatePeriod(ring: Float64Array, seen: number, size: number, scratch: Float64Array): number {
  const n = Math.min(seen, size);
  const vals = scratch.subarray(0, n);
  for (let i = 0; i < n; i++) vals[i] = ring[(seen - n + 1 + i) % size];
  const acf = (x: Float64Array, lag: number, mean: number, varSum: number): number => {
    let s = 0;
    for (let i = lag; i < x.length; i++) s += (x[i] - mean) * (x[i - lag] - mean);
    return (s / (x.length - lag)) * (x.length / varSum);
  };
  const stats = (x: Float64Array): [number, number] => {
    let m = 0;
    for (const v of x) m += v;
    m /= x.length;
    let vs = 0;
    for (const v of x) vs += (v - m) * (v - m);
    return [m, vs];
  };
  const dec = new Float64Array(Math.floor(n / 4));
  for (let i = 0; i < dec.length; i++) dec[i] = (vals[4 * i] + vals[4 * i + 1] + vals[4 * i + 2] + vals[4 * i + 3]) / 4;
  const [dm, dv] = stats(dec);
  if (!(dv > 0)) return 0;
  let bestLag = 0;
  let best = 0;
  let dipped = false;
  for (let lag = 2; lag <= dec.length / 3; lag++) {
    const r = acf(dec, lag, dm, dv);
    if (r < 0.2) dipped = true;
    // Only a peak after the autocorrelation has first fallen counts, so a smooth trend is no period.
    if (dipped && r > best) {
      best = r;
      bestLag = lag;
    }
  }
  if (best < 0.5) return 0;
  const [m, v] = stats(vals);
  let period = 0;
  let bestFull = -Infinity;
  for (let lag = Math.max(2, 4 * bestLag - 4); lag <= 4 * bestLag + 4; lag++) {
    const r = acf(vals, lag, m, v);
    if (r > bestFull) {
      bestFull = r;
      period = lag;
    }
  }
  return period;
}

/** Autocorrelation at one lag of the last `size` values (-1 when there are too few). */
export function autocorrelationAt(ring: Float64Array, seen: number, size: number, lag: number): number {
  const n = Math.min(seen, size);
  if (lag <= 0 || lag >= n - 2) return -1;
  const at = (i: number): number => ring[(seen - n + 1 + i) % size];
  let mean = 0;
  for (let i = 0; i < n; i++) mean += at(i);
  mean /= n;
  let varSum = 0;
  let cov = 0;
  for (let i = 0; i < n; i++) {
    const a = at(i) - mean;
    varSum += a * a;
    if (i >= lag) cov += a * (at(i - lag) - mean);
  }
  return varSum > 0 ? (cov / (n - lag)) * (n / varSum) : -1;
}
