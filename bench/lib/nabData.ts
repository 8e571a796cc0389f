// Reads a NAB copy laid out as numenta/NAB: data/<category>/*.csv, labels/combined_windows.json,
// config/profiles.json, and optionally results/<detector>/<category>/<detector>_<file>.csv.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { NabProfile } from '../../src/eval/nab/corpus';
import type { WindowLimits } from '../../src/eval/nab/sweeper';

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' read as UTC epoch ms (NAB timestamps carry no zone). */
export function parseNabTime(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/.exec(s.trim());
  if (!m) throw new Error(`not a NAB timestamp: ${JSON.stringify(s.slice(0, 40))}`);
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
}

export interface NabCsv {
  header: string[];
  timestamps: number[];
  columns: Map<string, number[]>;
}

export function readNabCsv(file: string): NabCsv {
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',').map((h) => h.trim());
  const timestamps: number[] = [];
  const columns = new Map<string, number[]>(header.slice(1).map((h) => [h, []]));
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i].split(',');
    timestamps.push(parseNabTime(cells[0]));
    for (let c = 1; c < header.length; c++) columns.get(header[c])!.push(Number(cells[c]));
  }
  return { header, timestamps, columns };
}

/** Relative paths ('category/file.csv') of every data file, sorted. */
export function listNabDataFiles(dataRoot: string): string[] {
  const out: string[] = [];
  const dataDir = path.join(dataRoot, 'data');
  for (const cat of fs.readdirSync(dataDir).sort()) {
    const catDir = path.join(dataDir, cat);
    if (!fs.statSync(catDir).isDirectory()) continue;
    for (const f of fs.readdirSync(catDir).sort()) if (f.endsWith('.csv')) out.push(`${cat}/${f}`);
  }
  return out;
}

export function readNabWindows(dataRoot: string): Map<string, WindowLimits[]> {
  const raw = JSON.parse(fs.readFileSync(path.join(dataRoot, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, [string, string][]>;
  const out = new Map<string, WindowLimits[]>();
  for (const [file, wins] of Object.entries(raw)) out.set(file, wins.map(([a, b]) => [parseNabTime(a), parseNabTime(b)] as const));
  return out;
}

export function readNabProfiles(dataRoot: string): NabProfile[] {
  const raw = JSON.parse(fs.readFileSync(path.join(dataRoot, 'config', 'profiles.json'), 'utf8')) as Record<string, { CostMatrix: NabProfile['costMatrix'] }>;
  return Object.entries(raw).map(([name, p]) => ({ name, costMatrix: p.CostMatrix }));
}

/** results/<detector>/<category>/<detector>_<file>.csv for a data file's relative path. */
export function nabResultPath(dataRoot: string, detector: string, relativePath: string): string {
  const [cat, file] = relativePath.split('/');
  return path.join(dataRoot, 'results', detector, cat, `${detector}_${file}`);
}

export const PROFILE_SHORT: Record<string, string> = { standard: 'standard', reward_low_FP_rate: 'lowFP', reward_low_FN_rate: 'lowFN' };

/** The published scoreboard (all 58 series), standard profile; low-FP / low-FN where published. */
export const PUBLISHED_NAB: readonly { detector: string; standard: number; lowFP?: number; lowFN?: number }[] = [
  { detector: 'ARTime', standard: 74.9, lowFP: 65.1, lowFN: 80.4 },
  { detector: 'Numenta HTM', standard: 70.5 },
  { detector: 'CAD OSE', standard: 69.9 },
  { detector: 'earthgecko Skyline', standard: 58.2 },
  { detector: 'KNN CAD', standard: 58.0 },
  { detector: 'Relative Entropy', standard: 54.6 },
  { detector: 'Random Cut Forest', standard: 51.7 },
  { detector: 'Twitter ADVec', standard: 47.1 },
  { detector: 'Windowed Gaussian', standard: 39.6 },
  { detector: 'Etsy Skyline', standard: 35.7 },
  { detector: 'Bayes Changepoint', standard: 17.7 },
  { detector: 'Random', standard: 11.0 },
];
