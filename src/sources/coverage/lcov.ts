// lcov's tracefile (geninfo(1) "TRACEFILE FORMAT"): SF:<path> opens a file's section, DA:<line>,<hits>[,<checksum>]
// gives a line's hits, end_of_record closes it. Function and branch records are not needed for lines.
import { CoverageFormatError, recordHits, type CoverageReport, type FileCoverage } from './types';

export function parseLcov(text: string): CoverageReport {
  const files: FileCoverage[] = [];
  let current: FileCoverage | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.startsWith('SF:')) {
      current = { path: line.slice(3), lines: new Map() };
      files.push(current);
    } else if (line.startsWith('DA:')) {
      if (!current) throw new CoverageFormatError('lcov', `line ${i + 1}: DA before any SF`);
      const [ln, hits] = line.slice(3).split(',');
      const n = Number(ln);
      const h = Number(hits);
      if (!Number.isSafeInteger(n) || !Number.isFinite(h)) throw new CoverageFormatError('lcov', `line ${i + 1}: malformed DA record ${JSON.stringify(line.slice(0, 80))}`);
      recordHits(current.lines, n, h);
    } else if (line === 'end_of_record') current = undefined;
  });
  if (!files.length) throw new CoverageFormatError('lcov', 'no SF: record');
  return { format: 'lcov', files, roots: [] };
}
