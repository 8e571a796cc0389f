// Fake kubectl, helm, argocd and amtool for tests that cannot have a cluster or an Alertmanager
// here. Each records its argv (one JSON line per call) and prints what the real tool documents.

import * as path from 'node:path';
import { writeScript } from './helpers';

export const helmHistoryOutput = [
  'REVISION\tUPDATED                 \tSTATUS    \tCHART          \tAPP VERSION\tDESCRIPTION     ',
  '1       \tWed Oct  7 15:17:51 2026\tsuperseded\tcheckout-0.1.0 \t1.0        \tInstall complete',
  '2       \tWed Oct  7 15:17:53 2026\tsuperseded\tcheckout-0.1.0 \t1.1        \tUpgrade complete',
  '3       \tWed Oct  7 15:17:55 2026\tdeployed  \tcheckout-0.1.0 \t1.2        \tUpgrade complete',
  '',
].join('\n');

// As argocd's tabwriter prints it (ID, DATE, REVISION padded by two spaces), newer versions first print the source.
export const argocdHistoryOutput = [
  'SOURCE  https://github.com/example/deploy.git',
  'ID  DATE                           REVISION',
  '10  2026-11-20 09:12:44 +0000 UTC  HEAD (8f3a2c1)',
  '11  2026-11-27 08:01:02 +0000 UTC  HEAD (c0ffee1)',
  '',
].join('\n');

export function installFakeTools(binDir: string, recordFile: string, opts: { currentContext?: string } = {}): void {
  const record = `require('fs').appendFileSync(${JSON.stringify(recordFile)}, JSON.stringify([require('path').basename(process.argv[1]), ...process.argv.slice(2)]) + '\\n');`;
  writeScript(
    binDir,
    'kubectl',
    `${record}
const a = process.argv.slice(2);
const pos = a.filter((x, i) => !x.startsWith('-') && !['-n', '--context', '--namespace'].includes(a[i - 1]));
const dry = a.includes('--dry-run=server') ? ' (server dry run)' : '';
const res = (pos.find((p) => p.includes('/')) || '').replace('deployment/', 'deployment.apps/');
if (pos[0] === 'config' && pos[1] === 'current-context') { process.stdout.write(${JSON.stringify((opts.currentContext ?? 'staging-1') + '\n')}); }
else if (pos[0] === 'rollout' && pos[1] === 'undo') console.log(res + ' rolled back' + dry);
else if (pos[0] === 'rollout' && pos[1] === 'restart') console.log(res + ' restarted' + dry);
else if (pos[0] === 'rollout' && pos[1] === 'pause') console.log(res + ' paused');
else if (pos[0] === 'rollout' && pos[1] === 'resume') console.log(res + ' resumed');
else if (pos[0] === 'rollout' && pos[1] === 'status') console.log('deployment "' + res.split('/')[1] + '" successfully rolled out');
else if (pos[0] === 'scale') console.log(res + ' scaled' + dry);
else { console.error('error: unknown command "' + pos.join(' ') + '" for "kubectl"'); process.exit(1); }`,
  );
  writeScript(
    binDir,
    'helm',
    `${record}
const a = process.argv.slice(2);
if (a[0] === 'rollback') console.log('Rollback was a success! Happy Helming!');
else if (a[0] === 'history') process.stdout.write(${JSON.stringify(helmHistoryOutput)});
else { console.error('Error: unknown command "' + a[0] + '" for "helm"'); process.exit(1); }`,
  );
  writeScript(
    binDir,
    'argocd',
    `${record}
const a = process.argv.slice(2);
if (a[0] === 'app' && a[1] === 'history') process.stdout.write(${JSON.stringify(argocdHistoryOutput)});
else if (a[0] === 'app' && a[1] === 'rollback') console.log('Name:               argocd/' + a[2] + '\\nSync Status:        OutOfSync');
else { console.error('unknown command'); process.exit(20); }`,
  );
  writeScript(binDir, 'amtool', `${record}\nconst a = process.argv.slice(2);\nif (a[0] === 'silence') console.log('d8a0b0f6-3c1e-4c84-9a1e-5d7a0c7f6b11'); else console.log('Alertname  Starts At  Summary');`);
}

export function fakeToolPath(binDir: string, name: string): string {
  return path.join(binDir, name);
}
