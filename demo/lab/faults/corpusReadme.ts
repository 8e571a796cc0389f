// The corpus README, written from the fault catalogue so it says exactly what the modules do.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IncidentBundle } from '../../../src/core/bundle';
import { FAULTS } from './catalog';
import type { FaultDefinition } from './types';

const CORPUS_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'corpus', 'lab');

/** What the recorded bundle holds, read from the file (nothing here is typed in by hand). */
function recordedText(name: string): string | undefined {
  const file = path.join(CORPUS_DIR, `${name}.json`);
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8');
  const b = JSON.parse(text) as IncidentBundle;
  const traces = new Set(b.spans.map((s) => s.traceId)).size;
  const errors = b.spans.filter((s) => s.status === 'error').length;
  const logTimes = b.logs.map((l) => l.time);
  const span = (ms: number) => `${Math.round(ms / 1000)} s`;
  const logs = logTimes.length ? `${b.logs.length} logs (the last ${span(Math.max(...logTimes) - Math.min(...logTimes))} before the bundle was taken)` : 'no logs';
  return `${Buffer.byteLength(text).toLocaleString('en')} bytes; alert ${b.alert.labels.alertname} (${b.alert.sourceKind}) at ${new Date(b.alert.startsAt).toISOString()}, ${(b.alerts?.length ?? 1) - 1} other firing alerts; ${b.spans.length} spans in ${traces} traces (${errors} with error status); ${logs}; ${b.metrics.length} series; ${b.changes.length} changes`;
}

function truthText(f: FaultDefinition): string {
  const t = f.truth;
  const parts = [`causeKind \`${t.causeKind}\``];
  if (t.service) parts.push(`service \`${t.service}\``);
  if (t.commitRef) parts.push(`commit: the sha of plan commit \`${t.commitRef}\` ("${f.commits.find((c) => c.id === t.commitRef)?.message.split('\n')[0]}")`);
  if (t.path) parts.push(`\`${t.path}\` lines ${t.startLine}-${t.endLine}`);
  if (t.noCodeCause) parts.push('no code cause');
  return parts.join(', ');
}

export function corpusReadme(): string {
  const lines = [
    '# The fault-lab corpus',
    '',
    'Incident bundles (format version 1, `src/core/bundle.ts`) recorded from real faults injected into the',
    'fault-injection lab (`demo/lab/faults/`): four Node services with the real OpenTelemetry SDK (storefront,',
    'checkout, payments over HTTPS, inventory on a real PostgreSQL with the pg instrumentation), a stand-in',
    'for the third-party card acquirer over HTTPS, feature flags in a flagd file, and a real git workspace.',
    'Each bundle was gathered by `investigate()` (only its `bundle` is kept) from the embedded OTLP receiver',
    '(metrics, logs, traces; the lab\'s Prometheus as well for the faults alerted through it) and a',
    '`GitChangeSource` over the lab workspace, after the alert named below fired from the real rules.',
    '',
    'Recorded with `node demo/lab/record.js --all` (or `--fault NAME`), which writes `<fault>.json` here.',
    'Each fault\'s truth was written in its module and committed before the fault was first recorded; the',
    'recorder only fills in the guilty commit\'s sha from the workspace plan (shas depend on the day the',
    'workspace is made). No bundle was scored by the diagnosis when it was recorded.',
    '',
    'Common to every recording: a fresh workspace (the demo lab\'s history, then the platform commits',
    'deployed to all four services about 22 hours earlier), 8 shoppers per second unless said otherwise,',
    'a healthy baseline (no alert may fire in it, or the recording fails), then the fault\'s steps.',
    'Services are named as in the traces: `storefront`, `checkout`, `payments`, `inventory`; the database',
    'is `postgresql` (`db.system.name`), the third party `acquirer` (`peer.service` on payments\' client spans).',
    '',
    'What the 1.5 MB bound costs: `investigate()` keeps the newest log records up to its limit and picks',
    'failing traces first, and the recorder tightens those limits until the bundle fits, so in most',
    'bundles the logs cover only the last minute or so (mostly after the onset) and the traces are',
    'mostly failing ones; the metrics (RED series per route from the receiver\'s spans, the runtime',
    'metrics, and for the Alertmanager faults the lab Prometheus\'s series) cover the whole baseline.',
    'Deploy markers are the git change source\'s: a commit that a deploy of another service shipped first',
    'carries that deploy\'s marker. Stack traces hold the lab\'s temporary release paths.',
    '',
    '| fault | alert waited for | truth |',
    '|---|---|---|',
    ...FAULTS.map((f) => `| [${f.name}](#${f.name}) | ${f.alert.alertname} for ${f.alert.service} (${f.alert.via === 'receiver' ? 'receiver\'s built-in rules' : 'lab Prometheus via Alertmanager'}) | ${truthText(f)} |`),
    '',
  ];
  for (const f of FAULTS) {
    lines.push(`## ${f.name}`, '', `**${f.title}.**`, '', `- Injection: ${f.injection}`, `- Innocent changes near the onset: ${f.innocent}`, `- Truth: ${truthText(f)}.`);
    lines.push(`- Steps (seconds after the baseline): ${f.steps.map((s) => `+${s.atS} ${s.what}`).join('; ')}.`);
    if (f.rps || f.browseShare) lines.push(`- Load: ${f.rps ?? 8} shoppers/s, ${Math.round((f.browseShare ?? 0.4) * 100)}% browsing.`);
    lines.push(`- Recorded: ${recordedText(f.name) ?? 'not yet'}.`);
    lines.push('');
  }
  return lines.join('\n');
}
