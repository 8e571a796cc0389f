// The corpus README, written from the fault catalogue so it says exactly what the modules do.
import { FAULTS } from './catalog';
import type { FaultDefinition } from './types';

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
    '| fault | alert waited for | truth |',
    '|---|---|---|',
    ...FAULTS.map((f) => `| [${f.name}](#${f.name}) | ${f.alert.alertname} for ${f.alert.service} (${f.alert.via === 'receiver' ? 'receiver\'s built-in rules' : 'lab Prometheus via Alertmanager'}) | ${truthText(f)} |`),
    '',
  ];
  for (const f of FAULTS) {
    lines.push(`## ${f.name}`, '', `**${f.title}.**`, '', `- Injection: ${f.injection}`, `- Innocent changes near the onset: ${f.innocent}`, `- Truth: ${truthText(f)}.`);
    lines.push(`- Steps (seconds after the baseline): ${f.steps.map((s) => `+${s.atS} ${s.what}`).join('; ')}.`);
    if (f.rps || f.browseShare) lines.push(`- Load: ${f.rps ?? 8} shoppers/s, ${Math.round((f.browseShare ?? 0.4) * 100)}% browsing.`);
    lines.push('');
  }
  return lines.join('\n');
}
