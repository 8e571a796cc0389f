// Coverage reports a project already writes: found at the places the usual tools write them, read
// with a size limit (regular files only, inside the workspace), recognised by their content, and
// matched to repository paths.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLcov } from './lcov';
import { parseCobertura } from './cobertura';
import { parseIstanbul } from './istanbul';
import { parseGoCover } from './goCover';
import { parseJacoco } from './jacoco';
import { CoverageFormatError, type CoverageFormat, type CoverageReport, type FileCoverage } from './types';

export const maxReportBytes = 64 * 1024 * 1024;

/** Where lcov, c8/nyc/istanbul, Jest, coverage.py, Go and JaCoCo (Maven, Gradle) write by default. */
export const conventionalReportPaths: readonly string[] = [
  'coverage/lcov.info',
  'lcov.info',
  'coverage/coverage-final.json',
  'coverage-final.json',
  'coverage/cobertura-coverage.xml',
  'cobertura-coverage.xml',
  'coverage.xml',
  'cobertura.xml',
  'coverage.out',
  'cover.out',
  'coverage.txt',
  'target/site/jacoco/jacoco.xml',
  'build/reports/jacoco/test/jacocoTestReport.xml',
];

/** Folders whose children are projects with reports of their own (a monorepo's services). */
const projectFolders = ['services', 'apps', 'packages'];

export interface LoadedReport {
  /** Repository-relative path of the report. */
  file: string;
  mtimeMs: number;
  report: CoverageReport;
}

export function detectFormat(text: string): CoverageFormat | undefined {
  const head = text.slice(0, 4096).trimStart();
  if (/^mode: (set|count|atomic)/.test(head)) return 'go';
  if (/^(TN:|SF:)/m.test(head)) return 'lcov';
  if (head.startsWith('{')) return 'istanbul';
  if (head.startsWith('<')) {
    if (/<!DOCTYPE report|<report[\s>]/.test(head)) return 'jacoco';
    if (/<coverage[\s>]/.test(head)) return 'cobertura';
  }
  return undefined;
}

export function parseCoverage(text: string, format = detectFormat(text)): CoverageReport {
  switch (format) {
    case 'lcov':
      return parseLcov(text);
    case 'cobertura':
      return parseCobertura(text);
    case 'istanbul':
      return parseIstanbul(text);
    case 'go':
      return parseGoCover(text);
    case 'jacoco':
      return parseJacoco(text);
    default:
      throw new CoverageFormatError('unknown', 'not lcov, Cobertura XML, Istanbul JSON, a Go cover profile or JaCoCo XML');
  }
}

/**
 * Reads one report: a regular file (a FIFO or /dev/zero under a report's name would hang), at most
 * maxReportBytes, inside the workspace after symlinks are followed.
 */
export async function readCoverageReport(workspace: string, relPath: string): Promise<LoadedReport> {
  const file = path.resolve(workspace, relPath);
  const root = await fs.promises.realpath(workspace);
  const real = await fs.promises.realpath(file);
  const inside = path.relative(root, real);
  if (inside.startsWith('..') || path.isAbsolute(inside)) throw new CoverageFormatError('unknown', `${relPath} points outside the workspace`);
  const stat = await fs.promises.stat(real);
  if (!stat.isFile()) throw new CoverageFormatError('unknown', `${relPath} is not a regular file`);
  if (stat.size > maxReportBytes) throw new CoverageFormatError('unknown', `${relPath} is larger than ${maxReportBytes / 1024 / 1024} MB`);
  const text = await fs.promises.readFile(real, 'utf8');
  try {
    return { file: relPath.split(path.sep).join('/'), mtimeMs: stat.mtimeMs, report: parseCoverage(text) };
  } catch (err) {
    if (err instanceof CoverageFormatError) throw new CoverageFormatError(err.format, `${relPath}: ${err.message.replace(/^[^:]*coverage report: /, '')}`);
    throw err;
  }
}

/** The conventional reports present in the workspace and in each project folder (services/*, …), at most `limit`. */
export async function discoverCoverageReports(workspace: string, limit = 20): Promise<string[]> {
  const bases = [''];
  for (const folder of projectFolders) {
    const entries = await fs.promises.readdir(path.join(workspace, folder), { withFileTypes: true }).catch(() => []);
    for (const e of entries.slice(0, 200)) if (e.isDirectory() && !e.name.startsWith('.')) bases.push(`${folder}/${e.name}/`);
  }
  const found: string[] = [];
  for (const base of bases) {
    for (const rel of conventionalReportPaths) {
      if (found.length >= limit) return found;
      const candidate = base + rel;
      const stat = await fs.promises.lstat(path.join(workspace, candidate)).catch(() => undefined);
      if (stat && (stat.isFile() || stat.isSymbolicLink())) found.push(candidate);
    }
  }
  return found;
}

function normalise(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\//, '');
}

/**
 * The report's entry for a repository path, or undefined. An absolute report path must be that
 * file; a relative one is tried against the report's own roots, the report's folder and its project
 * folder, then matched by whole trailing path components (Go import paths, JaCoCo's package/file),
 * the longest match winning.
 */
export function coverageOfFile(loaded: LoadedReport, workspace: string, repoPath: string): FileCoverage | undefined {
  const want = normalise(repoPath);
  const root = path.resolve(workspace);
  const reportDir = path.posix.dirname(loaded.file);
  const bases = [...loaded.report.roots.map((r) => path.resolve(root, r)), path.resolve(root, reportDir), path.resolve(root, reportDir, '..'), root];
  let best: { file: FileCoverage; score: number } | undefined;
  for (const f of loaded.report.files) {
    const p = normalise(f.path);
    if (path.isAbsolute(p) || /^[A-Za-z]:\//.test(p)) {
      if (normalise(path.relative(root, p)) === want) return f;
      continue;
    }
    for (const b of bases) if (normalise(path.relative(root, path.resolve(b, p))) === want) return f;
    // Suffix match on whole components.
    const a = p.split('/');
    const w = want.split('/');
    let k = 0;
    while (k < a.length && k < w.length && a[a.length - 1 - k] === w[w.length - 1 - k]) k++;
    const whole = k === a.length || k === w.length;
    if (whole && k > 0 && (!best || k > best.score)) best = { file: f, score: k };
  }
  return best?.file;
}

export interface LineCoverageSummary {
  /** Lines asked about that the report instruments. */
  instrumented: number;
  covered: number;
}

/** Of the given lines of a file, how many the report instruments and how many ran. */
export function summarizeLines(file: FileCoverage | undefined, lines: Iterable<number>): LineCoverageSummary {
  let instrumented = 0;
  let covered = 0;
  if (!file) return { instrumented, covered };
  for (const l of lines) {
    const hits = file.lines.get(l);
    if (hits === undefined) continue;
    instrumented++;
    if (hits > 0) covered++;
  }
  return { instrumented, covered };
}
