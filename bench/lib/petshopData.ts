// Reader for the PetShop root-cause data set (Amazon, CC BY 4.0):
//   dataset/<regime>_traffic[N]/graph.csv           adjacency matrix, row = caller, column = callee
//   dataset/<regime>_traffic[N]/noissue/metrics.csv normal operation, recorded at another time
//   dataset/<regime>_traffic[N]/<split>/issue_K/metrics.csv  the incident window (5 points, 5 min apart)
//   dataset/<regime>_traffic[N]/<split>/issue_K/target.json  alerted node/metric/time and the root cause
// metrics.csv has three header rows (microservice, metric, statistic), a "unix_timestamp" row, then
// one row per time step (unix seconds in the first column); empty cells are missing points.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricSeries } from '../../src/core/model';

export interface PetshopColumn {
  node: string;
  metric: string;
  statistic: string;
  values: number[];
}

export interface PetshopTable {
  /** Milliseconds since the epoch. */
  timestamps: number[];
  columns: PetshopColumn[];
}

export interface PetshopCase {
  dir: string;
  /** low, high or temporal, from the regime folder's name. */
  regime: string;
  /** The regime folder itself (e.g. temporal_traffic1). */
  regimeDir: string;
  graphFile: string;
  /** The regime's normal-operation recording, when it has one. */
  noissueFile?: string;
}

/** Minimal RFC 4180 reader: quoted fields, doubled quotes, CRLF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

export function readMetricsTable(file: string): PetshopTable {
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  if (rows.length < 4 || rows[0][0] !== 'microservice' || rows[1][0] !== 'metric' || rows[2][0] !== 'statistic') {
    throw new Error(`${file}: not a PetShop metrics table (expected microservice/metric/statistic header rows)`);
  }
  const width = rows[0].length;
  const columns: PetshopColumn[] = [];
  for (let c = 1; c < width; c++) columns.push({ node: rows[0][c], metric: rows[1][c], statistic: rows[2][c], values: [] });
  const timestamps: number[] = [];
  for (const r of rows.slice(3)) {
    const t = Number(r[0]);
    if (r[0] === '' || !Number.isFinite(t)) continue; // the unix_timestamp label row, blank lines
    timestamps.push(t * 1000);
    for (let c = 1; c < width; c++) {
      const cell = r[c] ?? '';
      columns[c - 1].values.push(cell === '' ? NaN : Number(cell));
    }
  }
  return { timestamps, columns };
}

/** Caller -> callee edges from the adjacency matrix (row calls column). */
export function readGraph(file: string): { from: string; to: string }[] {
  const rows = parseCsv(fs.readFileSync(file, 'utf8')).filter((r) => r.length > 1);
  const header = rows[0].slice(1);
  const edges: { from: string; to: string }[] = [];
  for (const r of rows.slice(1)) {
    for (let c = 1; c < r.length; c++) {
      const w = Number(r[c]);
      if (Number.isFinite(w) && w !== 0 && header[c - 1] !== undefined && r[0] !== header[c - 1]) edges.push({ from: r[0], to: header[c - 1] });
    }
  }
  return edges;
}

/** Every issue_* folder under root, with its regime folder, graph and normal-operation file. */
export function findPetshopCases(root: string): PetshopCase[] {
  const found: PetshopCase[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const full = path.join(dir, e.name);
      if (/^issue_\d+$/.test(e.name) && fs.existsSync(path.join(full, 'metrics.csv'))) found.push(describeCase(full, root));
      else stack.push(full);
    }
  }
  return found.sort((a, b) => a.dir.localeCompare(b.dir, 'en', { numeric: true }));
}

function describeCase(dir: string, root: string): PetshopCase {
  // The regime folder is the nearest ancestor holding graph.csv.
  let up = path.dirname(dir);
  const stop = path.dirname(path.resolve(root));
  while (!fs.existsSync(path.join(up, 'graph.csv')) && up !== stop && path.dirname(up) !== up) up = path.dirname(up);
  const graphFile = path.join(up, 'graph.csv');
  if (!fs.existsSync(graphFile)) throw new Error(`${dir}: no graph.csv in any parent folder`);
  const name = path.basename(up);
  const m = /^(low|high|temporal)_traffic/.exec(name);
  const noissue = path.join(up, 'noissue', 'metrics.csv');
  return { dir, regime: m ? m[1] : name, regimeDir: name, graphFile, ...(fs.existsSync(noissue) ? { noissueFile: noissue } : {}) };
}

/**
 * One MetricSeries per (node, metric, statistic) kept by `keep`. When a history table is given
 * (the regime's normal-operation recording, made at another time), it is shifted to end one step
 * before the window and put in front, so it plays the part of the hours before the incident.
 */
export function toSeries(window: PetshopTable, history: PetshopTable | undefined, keep: (c: PetshopColumn) => boolean): MetricSeries[] {
  const step = window.timestamps.length > 1 ? window.timestamps[1] - window.timestamps[0] : 300_000;
  let histTimes: number[] = [];
  const histByKey = new Map<string, number[]>();
  if (history && history.timestamps.length > 0) {
    const shift = window.timestamps[0] - step - history.timestamps[history.timestamps.length - 1];
    histTimes = history.timestamps.map((t) => t + shift);
    for (const c of history.columns) {
      const key = `${c.node}|${c.metric}|${c.statistic}`;
      if (!histByKey.has(key)) histByKey.set(key, c.values);
    }
  }
  const out: MetricSeries[] = [];
  const seen = new Set<string>();
  for (const c of window.columns) {
    if (!keep(c)) continue;
    const key = `${c.node}|${c.metric}|${c.statistic}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const hist = histByKey.get(key);
    out.push({
      id: key,
      name: `${c.metric} ${c.statistic}`,
      labels: { node: c.node, metric: c.metric, statistic: c.statistic },
      service: c.node,
      timestamps: hist ? histTimes.concat(window.timestamps) : window.timestamps.slice(),
      values: hist ? hist.concat(c.values) : c.values.slice(),
    });
  }
  return out;
}
