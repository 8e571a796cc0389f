// Drift benchmark on NannyML's California-housing example: `npm run bench -- drift [--data DIR]`.
// The folder holds the reference rows (with their targets), the analysis rows, and the analysis
// targets in a separate file joined on `id`, with hourly timestamps; chunks are calendar months.
// Protocol, as NannyML's published outputs: each feature's KS D against the whole reference set in
// every chunk (8 reference, 12 analysis), averaged over the 20 chunks; an alert where an analysis
// chunk's D is above mean + 3σ (population) of the reference chunks' D; realized ROC AUC per chunk,
// below mean − 3σ of the reference chunks' ROC AUC in the decay months. Nothing here is tuned: the
// statistics are definitions, so the figures either reproduce the published ones or they do not.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { parseBenchArgs, printResult, resolveDataDir } from './common';
import type { ModelSpec } from '../src/core/modelMonitoring';
import { joinTargets, readTableFile } from '../src/sources/models/tableFiles';
import { monitorModel } from '../src/analysis/drift/monitor';

// NannyML's published outputs on this data (the data folder's README in shared/data).
const PUBLISHED_MEAN_KS: Record<string, number> = {
  Longitude: 0.712709,
  Latitude: 0.672904,
  HouseAge: 0.201638,
  MedInc: 0.154952,
  AveOccup: 0.14389,
  AveRooms: 0.129277,
  AveBedrms: 0.0891403,
  Population: 0.0735623,
};
const PUBLISHED_ALERTS: Record<string, number> = { Longitude: 3, Latitude: 1, HouseAge: 0, MedInc: 0, AveOccup: 0, AveRooms: 0, AveBedrms: 0, Population: 0 };
const PUBLISHED_ROC_THRESHOLD = 0.708336;
const PUBLISHED_DECAY: Record<string, number> = { '2021-08': 0.7043, '2021-09': 0.6698, '2022-03': 0.7049 };

function findFile(dir: string, suffix: string): string {
  const hit = fs.readdirSync(dir).find((f) => f.endsWith(suffix));
  if (!hit) throw new Error(`no *${suffix} in ${dir}`);
  return path.join(dir, hit);
}

async function main(): Promise<void> {
  const args = parseBenchArgs();
  const dir = resolveDataDir(args, 'drift/nannyml-california');
  const features = Object.keys(PUBLISHED_MEAN_KS);
  const spec: ModelSpec = {
    name: 'california-housing',
    owner: 'bench',
    problem: 'binary',
    features: features.map((name) => ({ name, type: 'continuous' })),
    timestamp: { column: 'timestamp' },
    prediction: { score: 'y_pred_proba', label: 'y_pred' },
    target: 'clf_target',
    reference: { path: findFile(dir, '_reference.csv') },
    current: { path: findFile(dir, '_analysis.csv') },
    currentTargets: { path: findFile(dir, '_analysis_gt.csv'), join: 'id' },
    chunking: { period: 'month' },
    methods: { continuous: ['ks'], categorical: ['chi2'] },
    thresholds: {},
    metrics: ['roc_auc'],
    code: { training: [], pipeline: [], config: [] },
    actions: {},
  };
  const t0 = performance.now();
  const reference = await readTableFile(spec.reference);
  const analysis = joinTargets(await readTableFile(spec.current), await readTableFile(spec.currentTargets!), 'id', 'clf_target');
  const t1 = performance.now();
  const report = monitorModel({ spec, reference, analysis });
  const t2 = performance.now();

  const ref = report.chunks.filter((c) => c.period === 'reference');
  const cur = report.chunks.filter((c) => c.period === 'analysis');
  console.log(`NannyML California housing: ${reference.rowCount} reference rows in ${ref.length} monthly chunks (${ref[0].key}..${ref[ref.length - 1].key}), ${analysis.rowCount} analysis rows in ${cur.length} (${cur[0].key}..${cur[cur.length - 1].key})`);
  console.log('\nmean KS D over all chunks          ours        NannyML     |diff|      alerts ours / NannyML');
  let ksMaxAbsDiff = 0;
  const alerts: Record<string, number> = {};
  for (const f of report.features) {
    const values = f.series[0].values.filter((v): v is number => v !== null);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const diff = Math.abs(mean - PUBLISHED_MEAN_KS[f.feature]);
    ksMaxAbsDiff = Math.max(ksMaxAbsDiff, diff);
    alerts[f.feature] = f.alertCount;
    console.log(`  ${f.feature.padEnd(30)} ${mean.toFixed(6).padStart(10)}  ${PUBLISHED_MEAN_KS[f.feature].toFixed(6).padStart(10)}  ${diff.toExponential(2).padStart(9)}   ${String(f.alertCount).padStart(3)} / ${PUBLISHED_ALERTS[f.feature]}${f.alertCount ? `  (${f.series[0].alerts.map((a, i) => (a ? report.chunks[i].key : '')).filter(Boolean).join(', ')}; threshold ${f.series[0].threshold.upper?.toFixed(4)})` : ''}`);
  }
  const roc = report.performance.find((p) => p.method === 'roc_auc' && p.basis === 'realized')!;
  console.log(`\nrealized ROC AUC threshold (mean − 3σ of ${ref.length} reference chunks): ours ${roc.threshold.lower?.toFixed(6)}, NannyML ${PUBLISHED_ROC_THRESHOLD}`);
  for (let i = 0; i < report.chunks.length; i++) {
    const c = report.chunks[i];
    const v = roc.values[i];
    const published = PUBLISHED_DECAY[c.key];
    console.log(`  ${c.key} ${c.period.padEnd(9)} ${String(c.rows).padStart(5)} rows  ROC AUC ${v === null ? '   n/a' : v.toFixed(4)}${roc.alerts[i] ? '  below threshold' : ''}${published !== undefined ? `  (NannyML ${published})` : ''}`);
  }
  // The same analysis rows with their labels withheld, as when labels are late: the estimate stands in.
  const unlabelled = { ...analysis, columns: new Map([...analysis.columns].filter(([name]) => name !== 'clf_target')) };
  const estimatedReport = monitorModel({ spec, reference, analysis: unlabelled });
  const est = estimatedReport.performance.find((p) => p.method === 'roc_auc' && p.basis === 'estimated');
  if (est) {
    const pairs = report.chunks.map((c, i) => [c, est.values[i], roc.values[i]] as const).filter(([c, e, r]) => c.period === 'analysis' && e !== null && r !== null);
    const mae = pairs.reduce((a, [, e, r]) => a + Math.abs((e as number) - (r as number)), 0) / pairs.length;
    console.log(`\nestimated ROC AUC with the labels withheld (CBPE, isotonic calibration on the reference) vs realized: mean abs error ${mae.toFixed(4)} over ${pairs.length} analysis chunks (no published figure to compare); estimated decay chunks ${estimatedReport.decayChunks.join(', ') || 'none'}`);
    console.log(`  ${pairs.map(([c, e, r]) => `${c.key} ${(e as number).toFixed(3)}/${(r as number).toFixed(3)}`).join('  ')}`);
  }
  console.log('\nfeatures ranked (drifted first, by R² of ROC AUC on the D statistic across chunks; an association, not a cause):');
  for (const r of report.ranking) console.log(`  ${r.feature.padEnd(12)} alerts ${r.alertCount}  first ${r.firstAlert ?? '-'}  explained ${r.explained.toFixed(3)}`);
  console.log(`\nread ${(t1 - t0).toFixed(0)} ms, monitor ${(t2 - t1).toFixed(0)} ms`);
  printResult({ bench: 'drift', ksMaxAbsDiff: Number(ksMaxAbsDiff.toExponential(3)), alerts, decayChunks: report.decayChunks });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
