// The just-in-time defect data of the LApredict paper (Zeng et al., ISSTA 2021): one
// `<project>_k_feature.csv` per project, commits in date order, the 14 Kamei metrics and `bug`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { changeMetricNames, type ChangeMetricName, type ChangeMetrics } from '../../src/analysis/changeRisk/metrics';

export interface JitProject {
  name: string;
  /** Rows in file order, which is commit date order. */
  metrics: ChangeMetrics[];
  labels: number[];
  shas: string[];
}

// The data set spells entropy "entrophy". Its `__` column is a copy of `bug` and is never read.
const columnOf: Record<ChangeMetricName, string> = Object.fromEntries(changeMetricNames.map((m) => [m, m === 'entropy' ? 'entrophy' : m])) as Record<ChangeMetricName, string>;

export function jitProjectNames(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('_k_feature.csv'))
    .map((f) => f.slice(0, -'_k_feature.csv'.length))
    .sort();
}

export function loadJitProject(dir: string, name: string): JitProject {
  const file = path.join(dir, `${name}_k_feature.csv`);
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length < 2) throw new Error(`${file}: no rows`);
  const header = lines[0].split(',');
  const index = (col: string): number => {
    const i = header.indexOf(col);
    if (i < 0) throw new Error(`${file}: no column ${JSON.stringify(col)}`);
    return i;
  };
  const bugCol = index('bug');
  const idCol = index('_id');
  const cols = changeMetricNames.map((m) => [m, index(columnOf[m])] as const);
  const metrics: ChangeMetrics[] = [];
  const labels: number[] = [];
  const shas: string[] = [];
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',');
    const row = {} as ChangeMetrics;
    for (const [m, c] of cols) {
      const v = Number(cells[c]);
      if (cells[c] === undefined || cells[c] === '' || !Number.isFinite(v)) throw new Error(`${file}:${i + 2}: ${columnOf[m]} is not a number (${JSON.stringify(cells[c])})`);
      row[m] = v;
    }
    const bug = Number(cells[bugCol]);
    if (bug !== 0 && bug !== 1) throw new Error(`${file}:${i + 2}: bug must be 0 or 1 (${JSON.stringify(cells[bugCol])})`);
    metrics.push(row);
    labels.push(bug);
    shas.push(cells[idCol]);
  });
  return { name, metrics, labels, shas };
}
