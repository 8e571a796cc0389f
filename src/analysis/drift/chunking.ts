// Cuts rows into chunks. By calendar period in UTC, as pandas' period grouping does (a monthly chunk
// is every row whose timestamp falls in that month), or by a fixed number of rows in time order (the
// last chunk keeps the remainder and is marked small when it is).
import type { ChunkInfo, ChunkingSpec } from '../../core/modelMonitoring';

export interface Chunk extends ChunkInfo {
  /** Row indexes into the table the chunk was cut from, in time order. */
  indexes: number[];
}

/** The period's key (2021-06, 2021-W23, 2021-Q2, 2021-06-01, 2021) and its [start, end) in ms. */
export function periodOf(time: number, period: 'day' | 'week' | 'month' | 'quarter' | 'year'): { key: string; start: number; end: number } {
  const d = new Date(time);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const pad = (n: number) => String(n).padStart(2, '0');
  switch (period) {
    case 'year':
      return { key: String(y), start: Date.UTC(y, 0, 1), end: Date.UTC(y + 1, 0, 1) };
    case 'quarter': {
      const q = Math.floor(m / 3);
      return { key: `${y}-Q${q + 1}`, start: Date.UTC(y, q * 3, 1), end: Date.UTC(y, q * 3 + 3, 1) };
    }
    case 'month':
      return { key: `${y}-${pad(m + 1)}`, start: Date.UTC(y, m, 1), end: Date.UTC(y, m + 1, 1) };
    case 'day': {
      const start = Date.UTC(y, m, d.getUTCDate());
      return { key: `${y}-${pad(m + 1)}-${pad(d.getUTCDate())}`, start, end: start + 86_400_000 };
    }
    case 'week': {
      // ISO weeks start on Monday; the key is the Monday's date.
      const day = (d.getUTCDay() + 6) % 7;
      const start = Date.UTC(y, m, d.getUTCDate() - day);
      const s = new Date(start);
      return { key: `${s.getUTCFullYear()}-${pad(s.getUTCMonth() + 1)}-${pad(s.getUTCDate())}/W`, start, end: start + 7 * 86_400_000 };
    }
  }
}

/** Chunks of one period (reference or analysis) from its rows' timestamps; rows without a time are left out. */
export function chunkRows(timestamps: ArrayLike<number>, spec: ChunkingSpec, period: ChunkInfo['period']): Chunk[] {
  const order: number[] = [];
  for (let i = 0; i < timestamps.length; i++) if (Number.isFinite(timestamps[i])) order.push(i);
  order.sort((a, b) => timestamps[a] - timestamps[b] || a - b);
  const chunks: Chunk[] = [];
  if ('size' in spec) {
    const size = Math.max(1, Math.floor(spec.size));
    for (let s = 0, n = 0; s < order.length; s += size, n++) {
      const indexes = order.slice(s, s + size);
      chunks.push({ key: `${period === 'reference' ? 'ref' : 'cur'}-${n + 1}`, period, start: timestamps[indexes[0]], end: timestamps[indexes[indexes.length - 1]], rows: indexes.length, small: false, indexes });
    }
  } else {
    let current: Chunk | undefined;
    for (const i of order) {
      const p = periodOf(timestamps[i], spec.period);
      if (!current || current.key !== p.key) {
        current = { key: p.key, period, start: p.start, end: p.end, rows: 0, small: false, indexes: [] };
        chunks.push(current);
      }
      current.indexes.push(i);
      current.rows++;
    }
  }
  const sizes = chunks.map((c) => c.rows).sort((a, b) => a - b);
  const median = sizes.length ? sizes[Math.floor((sizes.length - 1) / 2)] : 0;
  for (const c of chunks) c.small = c.rows < median / 3;
  return chunks;
}
