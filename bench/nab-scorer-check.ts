// Checks the NAB scorer port: scores the published windowedGaussian per-file outputs at the published
// thresholds and compares with NAB's own per-file scores (windowedGaussian_<profile>_scores.csv).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBenchArgs, printResult, resolveDataDir } from './common';
import { scoreCorpus, type NabFileScores } from '../src/eval/nab/corpus';
import { listNabDataFiles, nabResultPath, readNabCsv, readNabProfiles, readNabWindows } from './lib/nabData';

const DETECTOR = 'windowedGaussian';
const args = parseBenchArgs();
const root = resolveDataDir(args, 'nab');
const profiles = readNabProfiles(root);
const windows = readNabWindows(root);
const thresholds = JSON.parse(fs.readFileSync(path.join(root, 'config', 'thresholds.json'), 'utf8')) as Record<string, Record<string, { threshold: number }>>;

const files: NabFileScores[] = [];
for (const rel of listNabDataFiles(root)) {
  const resultFile = nabResultPath(root, DETECTOR, rel);
  if (!fs.existsSync(resultFile)) continue;
  const csv = readNabCsv(resultFile);
  files.push({ name: rel, timestamps: csv.timestamps, anomalyScores: csv.columns.get('anomaly_score')!, windows: windows.get(rel) ?? [] });
}

let overall = 0;
let compared = 0;
for (const profile of profiles) {
  const threshold = thresholds[DETECTOR][profile.name].threshold;
  const published = new Map<string, number>();
  const scoresCsv = fs.readFileSync(path.join(root, 'results', DETECTOR, `${DETECTOR}_${profile.name}_scores.csv`), 'utf8');
  for (const line of scoresCsv.split(/\r?\n/).slice(1)) {
    const cells = line.split(',');
    if (cells.length >= 5 && cells[2]) published.set(cells[2], Number(cells[4]));
  }
  const ours = scoreCorpus(files, threshold, profile.costMatrix);
  let maxDiff = 0;
  let worst = '';
  for (const f of ours.files) {
    const pub = published.get(f.name);
    if (pub === undefined) continue;
    compared++;
    const d = Math.abs(pub - f.score);
    if (d > maxDiff) {
      maxDiff = d;
      worst = `${f.name} (ours ${f.score.toFixed(6)}, NAB ${pub.toFixed(6)})`;
    }
  }
  overall = Math.max(overall, maxDiff);
  console.log(`${profile.name.padEnd(20)} threshold ${threshold}  files ${ours.files.length}  max |diff| ${maxDiff.toExponential(3)}${worst ? `  worst ${worst}` : ''}`);
}
console.log(`overall max |diff| ${overall.toExponential(3)} over ${compared} file-profile pairs (${overall <= 0.01 ? 'PASS' : 'FAIL'}: limit 0.01)`);
printResult({ bench: 'nab-scorer-check', files: files.length, maxAbsDiff: Number(overall.toPrecision(3)) });
