// Line coverage as every reader returns it: per file, the hits of each instrumented line. A line
// that is absent was not instrumented (a comment, a blank, a declaration); 0 hits is uncovered.

export type CoverageFormat = 'lcov' | 'cobertura' | 'istanbul' | 'go' | 'jacoco';

export interface FileCoverage {
  /** The path as the report names it: absolute, relative to a source root, an import path (Go) or package/file (JaCoCo). */
  path: string;
  lines: Map<number, number>;
}

export interface CoverageReport {
  format: CoverageFormat;
  files: FileCoverage[];
  /** Folders the report says its relative paths start from (Cobertura's <sources>). */
  roots: string[];
}

/** A report that is not what its format documents: says where and why. */
export class CoverageFormatError extends Error {
  constructor(
    readonly format: CoverageFormat | 'unknown',
    message: string,
  ) {
    super(`${format === 'unknown' ? 'coverage report' : `${format} coverage report`}: ${message}`);
    this.name = 'CoverageFormatError';
  }
}

/** Records a line's hits, keeping the larger count where regions of a report overlap. */
export function recordHits(lines: Map<number, number>, line: number, hits: number): void {
  if (!Number.isSafeInteger(line) || line < 1 || !Number.isFinite(hits) || hits < 0) return;
  const prev = lines.get(line);
  if (prev === undefined || hits > prev) lines.set(line, hits);
}
