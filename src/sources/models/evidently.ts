// Evidently's drift results as JSON files: a Report's json() of Evidently 0.4 and earlier (metrics[]
// with "metric" and "result": DataDriftTable's drift_by_columns, DatasetDriftMetric, ColumnDriftMetric)
// and the snapshots of Evidently 0.6 and later (metrics[] with "metric_name", "config" and "value":
// ValueDrift per column, DriftedColumnsCount). Only the drift results are read; the distributions and
// widgets beside them are left alone. A file that is neither is a clear error.
import * as fs from 'node:fs';
import type { EvidentlyColumnDrift, EvidentlySummary } from '../../core/modelMonitoring';

export const maxEvidentlyBytes = 64 * 1024 * 1024;

export class EvidentlyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvidentlyFormatError';
  }
}

type Raw = Record<string, unknown>;
const isMap = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);

function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  // Evidently writes naive ISO times (datetime.isoformat()): read as UTC.
  const t = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isFinite(t) ? t : undefined;
}

function legacyColumn(name: string, r: Raw): EvidentlyColumnDrift | undefined {
  const score = num(r.drift_score);
  if (score === undefined || typeof r.drift_detected !== 'boolean') return undefined;
  const threshold = num(r.stattest_threshold ?? r.threshold);
  return { column: typeof r.column_name === 'string' ? r.column_name : name, method: typeof r.stattest_name === 'string' ? r.stattest_name : 'unknown', ...(threshold !== undefined ? { threshold } : {}), score, drifted: r.drift_detected };
}

/** "ValueDrift(column=age,method=K-S p_value,threshold=0.05)" → its parameters, for snapshots without a config. */
function metricNameParams(name: string): Record<string, string> {
  const m = /^\w+\((.*)\)$/.exec(name);
  const out: Record<string, string> = Object.create(null);
  if (!m) return out;
  for (const part of m[1].split(/,(?=\w+=)/)) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function parseEvidently(json: unknown, file: string): EvidentlySummary {
  if (!isMap(json) || !Array.isArray(json.metrics)) throw new EvidentlyFormatError(`${file}: not an Evidently report or snapshot (no "metrics" list)`);
  const columns: EvidentlyColumnDrift[] = [];
  let driftedColumns: number | undefined;
  let driftShare: number | undefined;
  let datasetDrift: boolean | undefined;
  const timestamp = parseTime(json.timestamp);
  const metrics = json.metrics.filter(isMap);
  const isSnapshot = metrics.some((m) => typeof m.metric_name === 'string' || (isMap(m.config) && typeof m.config.type === 'string'));
  if (!isSnapshot) {
    for (const m of metrics) {
      const result = isMap(m.result) ? m.result : undefined;
      if (!result) continue;
      if (m.metric === 'DataDriftTable' || m.metric === 'DatasetDriftMetric') {
        driftedColumns = num(result.number_of_drifted_columns) ?? driftedColumns;
        driftShare = num(result.share_of_drifted_columns) ?? driftShare;
        if (typeof result.dataset_drift === 'boolean') datasetDrift = result.dataset_drift;
        if (isMap(result.drift_by_columns)) {
          for (const [name, c] of Object.entries(result.drift_by_columns)) {
            const col = isMap(c) ? legacyColumn(name, c) : undefined;
            if (col && !columns.some((x) => x.column === col.column)) columns.push(col);
          }
        }
      } else if (m.metric === 'ColumnDriftMetric') {
        const col = legacyColumn(String(result.column_name ?? ''), result);
        if (col && !columns.some((x) => x.column === col.column)) columns.push(col);
      }
    }
    if (columns.length === 0 && driftedColumns === undefined) throw new EvidentlyFormatError(`${file}: an Evidently report without drift results (no DataDriftTable, DatasetDriftMetric or ColumnDriftMetric)`);
    return { file, format: 'report', ...(timestamp !== undefined ? { timestamp } : {}), ...(driftedColumns !== undefined ? { driftedColumns } : {}), ...(driftShare !== undefined ? { driftShare } : {}), ...(datasetDrift !== undefined ? { datasetDrift } : {}), columns };
  }
  for (const m of metrics) {
    const name = typeof m.metric_name === 'string' ? m.metric_name : typeof m.metric_id === 'string' ? m.metric_id : '';
    const config = isMap(m.config) ? m.config : {};
    const type = typeof config.type === 'string' ? config.type.split(':').pop() : name.split('(')[0];
    const params = metricNameParams(name);
    if (type === 'ValueDrift') {
      const score = num(m.value);
      const column = typeof config.column === 'string' ? config.column : params.column;
      if (score === undefined || !column) continue;
      const method = typeof config.method === 'string' ? config.method : (params.method ?? 'unknown');
      const threshold = num(config.threshold) ?? num(params.threshold);
      // Evidently's rule: a p-value drifts below its threshold, a distance at or above it.
      const drifted = threshold === undefined ? false : /p_value/i.test(method) ? score < threshold : score >= threshold;
      columns.push({ column, method, ...(threshold !== undefined ? { threshold } : {}), score, drifted });
    } else if (type === 'DriftedColumnsCount' && isMap(m.value)) {
      driftedColumns = num(m.value.count);
      driftShare = num(m.value.share);
      const limit = num(config.drift_share) ?? num(params.drift_share);
      if (driftShare !== undefined && limit !== undefined) datasetDrift = driftShare >= limit;
    }
  }
  if (columns.length === 0 && driftedColumns === undefined) throw new EvidentlyFormatError(`${file}: an Evidently snapshot without drift results (no ValueDrift or DriftedColumnsCount)`);
  return { file, format: 'snapshot', ...(timestamp !== undefined ? { timestamp } : {}), ...(driftedColumns !== undefined ? { driftedColumns } : {}), ...(driftShare !== undefined ? { driftShare } : {}), ...(datasetDrift !== undefined ? { datasetDrift } : {}), columns };
}

export function readEvidentlyFile(file: string): EvidentlySummary {
  let text: string;
  try {
    const stat = fs.statSync(file);
    if (stat.size > maxEvidentlyBytes) throw new EvidentlyFormatError(`${file}: ${stat.size} bytes, more than the ${maxEvidentlyBytes} an Evidently file may have`);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof EvidentlyFormatError) throw err;
    throw new EvidentlyFormatError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new EvidentlyFormatError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  return parseEvidently(json, file);
}
