// Istanbul's coverage-final.json (istanbul-lib-coverage's FileCoverage data): an object keyed by file
// with statementMap (id -> {start: {line}, end}) and s (id -> hits). A line's hits are the most of
// the statements that start on it, as istanbul's own getLineCoverage() computes them.
import { CoverageFormatError, recordHits, type CoverageReport, type FileCoverage } from './types';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseIstanbul(text: string): CoverageReport {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new CoverageFormatError('istanbul', `not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isRecord(data)) throw new CoverageFormatError('istanbul', 'the top level is not an object of files');
  const files: FileCoverage[] = [];
  for (const [key, entry] of Object.entries(data)) {
    if (!isRecord(entry) || !isRecord(entry.statementMap) || !isRecord(entry.s)) throw new CoverageFormatError('istanbul', `${JSON.stringify(key.slice(0, 200))} has no statementMap and s`);
    const lines = new Map<number, number>();
    for (const [id, loc] of Object.entries(entry.statementMap)) {
      const line = isRecord(loc) && isRecord(loc.start) ? Number(loc.start.line) : NaN;
      recordHits(lines, line, Number(entry.s[id] ?? 0));
    }
    files.push({ path: typeof entry.path === 'string' ? entry.path : key, lines });
  }
  return { format: 'istanbul', files, roots: [] };
}
