// Go's cover profile (`go test -coverprofile`, read by cmd/cover): a "mode: set|count|atomic" line,
// then one block a line, "file.go:startLine.startCol,endLine.endCol numStatements count". Every line
// a block spans takes its count (the larger where blocks meet on a line); a block without statements
// makes nothing executable. File names are import paths, matched to repository paths by suffix.
import { CoverageFormatError, recordHits, type CoverageReport, type FileCoverage } from './types';

const BLOCK = /^(.+):(\d+)\.(\d+),(\d+)\.(\d+) (\d+) (\d+)$/;

export function parseGoCover(text: string): CoverageReport {
  const lines = text.split(/\r?\n/);
  if (!/^mode: (set|count|atomic)\s*$/.test(lines[0] ?? '')) throw new CoverageFormatError('go', 'the first line is not "mode: set|count|atomic"');
  const byPath = new Map<string, FileCoverage>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    // Profiles merged from several runs repeat the mode line.
    if (/^mode: /.test(line)) continue;
    const m = BLOCK.exec(line);
    if (!m) throw new CoverageFormatError('go', `line ${i + 1}: not a block ${JSON.stringify(line.slice(0, 120))}`);
    const [, file, startLine, , endLine, , statements, count] = m;
    if (Number(statements) === 0) continue;
    let f = byPath.get(file);
    if (!f) byPath.set(file, (f = { path: file, lines: new Map() }));
    const from = Number(startLine);
    const to = Math.min(Number(endLine), from + 100_000);
    for (let l = from; l <= to; l++) recordHits(f.lines, l, Number(count));
  }
  return { format: 'go', files: [...byPath.values()], roots: [] };
}
