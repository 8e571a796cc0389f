// Reads a model's reference or current data into columns: CSV through csv-parse (streaming, RFC 4180
// quoting, a byte-order mark skipped), Parquet through hyparquet (pure JavaScript, no native code).
// A column whose every non-empty value is a number is kept as numbers; any other as text. Files are
// size- and row-capped, and a malformed file is an error that names the file and the line, never a
// partial table. Cell values are data: they never reach a message.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse';
import type { DataFileSpec, DataTable, TableColumn } from '../../core/modelMonitoring';

export const defaultMaxBytes = 512 * 1024 * 1024;
export const defaultMaxRows = 5_000_000;

export interface TableReadOptions {
  maxBytes?: number;
  maxRows?: number;
  /** Only these columns are kept (all when absent). */
  columns?: readonly string[];
  signal?: AbortSignal;
}

export class TableFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableFileError';
  }
}

/** A column being filled: numbers while every value is one, text from the first that is not. */
class ColumnBuilder {
  nums: number[] = [];
  text: (string | null)[] | undefined;

  push(raw: string): void {
    const v = raw.trim();
    if (this.text) {
      this.text.push(v === '' ? null : raw);
      return;
    }
    if (v === '') {
      this.nums.push(Number.NaN);
      return;
    }
    const n = Number(v);
    if (Number.isFinite(n) || v === 'NaN' || v === 'nan') this.nums.push(n);
    else {
      // The values so far were numbers: they become their text.
      this.text = this.nums.map((x) => (Number.isNaN(x) ? null : String(x)));
      this.nums = [];
      this.text.push(raw);
    }
  }

  finish(): TableColumn {
    return this.text ? { kind: 'text', values: this.text } : { kind: 'number', values: Float64Array.from(this.nums) };
  }
}

function formatOf(spec: DataFileSpec): 'csv' | 'parquet' {
  if (spec.format) return spec.format;
  const ext = path.extname(spec.path).toLowerCase();
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  if (ext === '.csv' || ext === '.txt' || ext === '') return 'csv';
  throw new TableFileError(`${spec.path}: cannot tell the format from the extension "${ext}" (declare format: csv or parquet)`);
}

function checkSize(file: string, maxBytes: number): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw new TableFileError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (!stat.isFile()) throw new TableFileError(`${file}: not a regular file`);
  if (stat.size > maxBytes) throw new TableFileError(`${file}: ${stat.size} bytes, more than the ${maxBytes} a data file may have`);
}

export async function readTableFile(spec: DataFileSpec, opts: TableReadOptions = {}): Promise<DataTable> {
  const format = formatOf(spec);
  checkSize(spec.path, opts.maxBytes ?? defaultMaxBytes);
  return format === 'parquet' ? readParquet(spec.path, opts) : readCsv(spec.path, opts);
}

function quoted(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}

export async function readCsv(file: string, opts: TableReadOptions = {}): Promise<DataTable> {
  const maxRows = opts.maxRows ?? defaultMaxRows;
  const parser = fs.createReadStream(file).pipe(parse({ bom: true, skip_empty_lines: true, max_record_size: 1 << 20, relax_quotes: false }));
  let header: string[] | undefined;
  let keep: number[] = [];
  let builders: ColumnBuilder[] = [];
  let rows = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (opts.signal?.aborted) throw new TableFileError(`${file}: reading was cancelled`);
      if (!header) {
        header = record.map((h) => h.trim());
        const seen = new Set<string>();
        for (const h of header) {
          if (seen.has(h)) throw new TableFileError(`${file}: the column ${quoted(h)} appears twice in the header`);
          seen.add(h);
        }
        keep = header.map((h, i) => (opts.columns && !opts.columns.includes(h) ? -1 : i)).filter((i) => i >= 0);
        builders = keep.map(() => new ColumnBuilder());
        continue;
      }
      if (++rows > maxRows) throw new TableFileError(`${file}: more than ${maxRows} rows (the limit of one data file)`);
      for (let k = 0; k < keep.length; k++) builders[k].push(record[keep[k]] ?? '');
    }
  } catch (err) {
    if (err instanceof TableFileError) throw err;
    const e = err as Error & { code?: string; lines?: number };
    // csv-parse's messages name the line and the rule; they quote no cell.
    throw new TableFileError(`${file}: not a valid CSV file${e.lines ? ` (line ${e.lines})` : ''}: ${e.message.split('\n')[0]}`);
  } finally {
    parser.destroy();
  }
  if (!header) throw new TableFileError(`${file}: empty (no header row)`);
  const columns = new Map<string, TableColumn>();
  keep.forEach((i, k) => columns.set(header![i], builders[k].finish()));
  return { source: file, rowCount: rows, columns };
}

/** hyparquet reads through an AsyncBuffer: slices of the file on demand. */
async function fileBuffer(file: string): Promise<{ byteLength: number; slice(start: number, end?: number): Promise<ArrayBuffer>; close(): Promise<void> }> {
  const handle = await fs.promises.open(file, 'r');
  const { size } = await handle.stat();
  return {
    byteLength: size,
    async slice(start: number, end = size) {
      const length = Math.max(0, Math.min(end, size) - start);
      const buf = Buffer.alloc(length);
      if (length > 0) await handle.read(buf, 0, length, start);
      return buf.buffer.slice(buf.byteOffset, buf.byteOffset + length) as ArrayBuffer;
    },
    close: () => handle.close(),
  };
}

function cellOf(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.toISOString() : null;
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export async function readParquet(file: string, opts: TableReadOptions = {}): Promise<DataTable> {
  const { parquetMetadataAsync, parquetRead, parquetSchema } = await import('hyparquet');
  const maxRows = opts.maxRows ?? defaultMaxRows;
  const buffer = await fileBuffer(file);
  try {
    let metadata;
    try {
      metadata = await parquetMetadataAsync(buffer);
    } catch (err) {
      throw new TableFileError(`${file}: not a valid Parquet file: ${(err as Error).message.split('\n')[0]}`);
    }
    const rowCount = Number(metadata.num_rows);
    if (rowCount > maxRows) throw new TableFileError(`${file}: ${rowCount} rows, more than ${maxRows} (the limit of one data file)`);
    const names = parquetSchema(metadata).children.map((c) => c.element.name);
    const wanted = opts.columns ? names.filter((n) => opts.columns!.includes(n)) : names;
    const cells = new Map<string, (string | number | null)[]>(wanted.map((n) => [n, new Array(rowCount).fill(null)]));
    await parquetRead({
      file: buffer,
      metadata,
      columns: wanted,
      onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
        const target = cells.get(columnName);
        if (!target) return;
        for (let r = rowStart; r < rowEnd && r < rowCount; r++) target[r] = cellOf(columnData[r - rowStart]);
      },
    }).catch((err: unknown) => {
      throw new TableFileError(`${file}: the Parquet data cannot be decoded: ${(err as Error).message.split('\n')[0]}`);
    });
    const columns = new Map<string, TableColumn>();
    for (const [name, values] of cells) {
      const numeric = values.every((v) => v === null || typeof v === 'number');
      columns.set(name, numeric ? { kind: 'number', values: Float64Array.from(values, (v) => (v === null ? Number.NaN : (v as number))) } : { kind: 'text', values: values.map((v) => (v === null ? null : String(v))) });
    }
    return { source: file, rowCount, columns };
  } finally {
    await buffer.close();
  }
}

/**
 * Joins late-arriving targets onto the current rows by a key column (the first target row per key
 * wins; a current row without one keeps a missing target).
 */
export function joinTargets(current: DataTable, targets: DataTable, key: string, target: string): DataTable {
  const keyOf = (t: DataTable): (string | null)[] => {
    const c = t.columns.get(key);
    if (!c) throw new TableFileError(`${t.source} has no join column ${quoted(key)}`);
    return c.kind === 'text' ? c.values : Array.from(c.values, (v) => (Number.isFinite(v) ? String(v) : null));
  };
  const tc = targets.columns.get(target);
  if (!tc) throw new TableFileError(`${targets.source} has no target column ${quoted(target)}`);
  const targetValues = tc.kind === 'number' ? tc.values : Float64Array.from(tc.values, (v) => (v === null ? Number.NaN : Number(v)));
  const byKey = new Map<string, number>();
  keyOf(targets).forEach((k, i) => {
    if (k !== null && !byKey.has(k)) byKey.set(k, targetValues[i]);
  });
  const joined = Float64Array.from(keyOf(current), (k) => (k === null ? Number.NaN : (byKey.get(k) ?? Number.NaN)));
  const columns = new Map(current.columns);
  columns.set(target, { kind: 'number', values: joined });
  return { source: current.source, rowCount: current.rowCount, columns };
}
