// A steady climb that starts at a knee: memory, connections or a disk filling since some time, which a
// level test dates too late (the level leaves its band long after the climb began). Two straight
// segments are fitted, flat-ish then rising, and the knee is where the fit is best; the climb must be
// clear against the noise and large against the level.

export interface SlopeChange {
  /** Time of the knee: where the climb starts (the first point when it climbs all along). */
  start: number;
  /** The climb was already going on when the data starts: it began before the window. */
  sinceStart?: boolean;
  /** Rise per hour after the knee, in the series' units. */
  perHour: number;
  /** Value at the end over the value at the knee. */
  ratio: number;
}

function fitLine(t: number[], v: number[], from: number, to: number): { a: number; b: number; sse: number } {
  const n = to - from;
  let st = 0;
  let sv = 0;
  for (let i = from; i < to; i++) {
    st += t[i];
    sv += v[i];
  }
  const mt = st / n;
  const mv = sv / n;
  let stt = 0;
  let stv = 0;
  for (let i = from; i < to; i++) {
    stt += (t[i] - mt) ** 2;
    stv += (t[i] - mt) * (v[i] - mv);
  }
  const b = stt > 0 ? stv / stt : 0;
  const a = mv - b * mt;
  let sse = 0;
  for (let i = from; i < to; i++) sse += (v[i] - (a + b * t[i])) ** 2;
  return { a, b, sse };
}

/**
 * For each knee k in [from, to], the squared error of a line fitted to points [0, k) plus one fitted to
 * [k, m), from running sums of values centred on the whole series' means (so large levels do not cost
 * precision). `scale` is the whole series' centred sum of squares, the size of the rounding errors.
 */
function twoSegmentErrors(t: number[], v: number[], from: number, to: number): Float64Array & { scale: number } {
  const m = t.length;
  let mt = 0;
  let mv = 0;
  for (let i = 0; i < m; i++) {
    mt += t[i];
    mv += v[i];
  }
  mt /= m;
  mv /= m;
  // Prefix sums of 1, t, v, tt, tv, vv over the centred points.
  const pt = new Float64Array(m + 1);
  const pv = new Float64Array(m + 1);
  const ptt = new Float64Array(m + 1);
  const ptv = new Float64Array(m + 1);
  const pvv = new Float64Array(m + 1);
  for (let i = 0; i < m; i++) {
    const x = t[i] - mt;
    const y = v[i] - mv;
    pt[i + 1] = pt[i] + x;
    pv[i + 1] = pv[i] + y;
    ptt[i + 1] = ptt[i] + x * x;
    ptv[i + 1] = ptv[i] + x * y;
    pvv[i + 1] = pvv[i] + y * y;
  }
  const sse = (a: number, b: number): number => {
    const n = b - a;
    if (n <= 0) return 0;
    const st = pt[b] - pt[a];
    const sv = pv[b] - pv[a];
    const stt = ptt[b] - ptt[a] - (st * st) / n;
    const stv = ptv[b] - ptv[a] - (st * sv) / n;
    const svv = pvv[b] - pvv[a] - (sv * sv) / n;
    return Math.max(0, stt > 0 ? svv - (stv * stv) / stt : svv);
  };
  const out = new Float64Array(Math.max(0, to - from + 1)) as Float64Array & { scale: number };
  for (let k = from; k <= to; k++) out[k - from] = sse(0, k) + sse(k, m);
  out.scale = pvv[m];
  return out;
}

/**
 * The knee of a climb that lasts until `until`, or undefined when the series does not climb that way.
 * A restart (the value falling by more than 40% at once, as memory does when a process is killed)
 * ends a climb: the longest stretch between restarts is what is judged.
 */
export function slopeChange(timestamps: readonly number[], values: readonly number[], until: number): SlopeChange | undefined {
  const all: { t: number; v: number }[] = [];
  for (let i = 0; i < Math.min(timestamps.length, values.length); i++) {
    if (Number.isFinite(timestamps[i]) && Number.isFinite(values[i]) && timestamps[i] <= until) all.push({ t: timestamps[i], v: values[i] });
  }
  let best: { from: number; to: number } = { from: 0, to: all.length };
  let from = 0;
  let longest = 0;
  for (let i = 1; i <= all.length; i++) {
    if (i === all.length || all[i].v < 0.6 * all[i - 1].v) {
      if (i - from > longest) {
        longest = i - from;
        best = { from, to: i };
      }
      from = i;
    }
  }
  const seg = all.slice(best.from, best.to);
  const origin = seg[0]?.t ?? 0;
  const t = seg.map((p) => (p.t - origin) / 3600_000);
  const v = seg.map((p) => p.v);
  const n = v.length;
  if (n < 20) return undefined;
  return kneeOf(t, v, origin);
}

function kneeOf(t: number[], v: number[], origin: number): SlopeChange | undefined {
  const n = v.length;
  // Subsample long series: the knee needs shape, not every point.
  const stride = Math.max(1, Math.floor(n / 200));
  const ts: number[] = [];
  const vs: number[] = [];
  for (let i = 0; i < n; i += stride) {
    ts.push(t[i]);
    vs.push(v[i]);
  }
  const m = ts.length;
  const whole = fitLine(ts, vs, 0, m);
  let best: { k: number; sse: number; before: ReturnType<typeof fitLine>; after: ReturnType<typeof fitLine> } | undefined;
  const minSeg = Math.max(5, Math.floor(m / 10));
  // Every knee's two-segment error from running sums (linear in m, instead of two fits per knee); the
  // knees within rounding of the smallest are then fitted exactly, so the knee chosen is the one the
  // exact fits choose.
  const approx = twoSegmentErrors(ts, vs, minSeg, m - minSeg);
  let low = Infinity;
  for (const e of approx) if (e < low) low = e;
  const tolerance = 1e-7 * Math.abs(low) + 1e-9 * approx.scale + 1e-12;
  for (let k = minSeg; k <= m - minSeg; k++) {
    if (!(approx[k - minSeg] <= low + tolerance)) continue;
    const before = fitLine(ts, vs, 0, k);
    const after = fitLine(ts, vs, k, m);
    const sse = before.sse + after.sse;
    if (!best || sse < best.sse) best = { k, sse, before, after };
  }
  const knee = best ? acceptKnee(ts, vs, best, whole, m, origin) : undefined;
  if (knee) return knee;
  return allAlong(ts, vs, whole, m, origin);
}

function allAlong(ts: number[], vs: number[], whole: ReturnType<typeof fitLine>, m: number, origin: number): SlopeChange | undefined {
  // Climbing all along (and already in its first fifth): one straight rise that explains the data well, large against the level.
  {
    let mean = 0;
    for (const x of vs) mean += x / m;
    let sst = 0;
    for (const x of vs) sst += (x - mean) ** 2;
    const r2 = sst > 0 ? 1 - whole.sse / sst : 0;
    const startValue = whole.a + whole.b * ts[0];
    const endValue = whole.a + whole.b * ts[m - 1];
    const head = fitLine(ts, vs, 0, Math.max(5, Math.floor(m / 5)));
    if (whole.b > 0 && r2 >= 0.85 && head.b >= 0.5 * whole.b && endValue - startValue >= 0.3 * Math.abs(startValue || endValue)) {
      return { start: origin, sinceStart: true, perHour: whole.b, ratio: startValue > 0 ? endValue / startValue : Infinity };
    }
  }
  return undefined;
}

function acceptKnee(ts: number[], vs: number[], best: { k: number; sse: number; before: ReturnType<typeof fitLine>; after: ReturnType<typeof fitLine> }, whole: ReturnType<typeof fitLine>, m: number, origin: number): SlopeChange | undefined {
  const { k, before, after } = best;
  const noise = Math.sqrt(best.sse / Math.max(1, m - 4));
  const span = ts[m - 1] - ts[k];
  const rise = after.b * span;
  const level = Math.abs(after.a + after.b * ts[k]) || Math.abs(vs[k]) || 1;
  // A real knee: the climb after it is steep against the slope before, well above the noise, large
  // against the level, and two segments explain the data much better than one line.
  if (!(after.b > 0) || after.b < 3 * Math.max(0, before.b) + 1e-12) return undefined;
  if (rise < 6 * noise || rise < 0.15 * level) return undefined;
  if (best.sse > 0.6 * whole.sse) return undefined;
  const endValue = after.a + after.b * ts[m - 1];
  const kneeValue = after.a + after.b * ts[k];
  return { start: origin + ts[k] * 3600_000, perHour: after.b, ratio: kneeValue !== 0 ? endValue / kneeValue : Infinity };
}
