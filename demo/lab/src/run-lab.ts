// The lab's command line: starts the lab and prints where everything is until Ctrl+C.
import * as path from 'node:path';
import { consoleLogger } from '../../../src/core/logger';
import { startLab } from './lab';

const USAGE = `usage: node demo/lab/run-lab.js [--workspace DIR] [--otlp URL] [--base-port N] [--rps N]
                                [--bad-after-s N | --no-bad-deploy] [--no-prometheus] [--webhook URL]`;

interface CliOptions {
  workspaceDir: string;
  otlpEndpoint?: string;
  basePort?: number;
  loadRps?: number;
  deployBadAfterMs?: number | false;
  withPrometheus: boolean;
  alertWebhookUrl?: string;
}

function parseCli(argv: string[]): CliOptions {
  const opts: CliOptions = { workspaceDir: path.resolve(__dirname, '..', '..', 'workspace'), withPrometheus: true };
  const number = (flag: string, value: string | undefined): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < 0) throw new Error(`${flag} needs a non-negative number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    switch (flag) {
      case '--workspace': opts.workspaceDir = path.resolve(value ?? ''); i++; break;
      case '--otlp': opts.otlpEndpoint = value; i++; break;
      case '--base-port': opts.basePort = number(flag, value); i++; break;
      case '--rps': opts.loadRps = number(flag, value); i++; break;
      case '--bad-after-s': opts.deployBadAfterMs = number(flag, value) * 1000; i++; break;
      case '--no-bad-deploy': opts.deployBadAfterMs = false; break;
      case '--no-prometheus': opts.withPrometheus = false; break;
      case '--webhook': opts.alertWebhookUrl = value; i++; break;
      case '--help': case '-h': throw new Error('help');
      default: throw new Error(`unknown argument: ${JSON.stringify(flag)}`);
    }
  }
  return opts;
}

export async function main(argv: string[]): Promise<void> {
  let cli: CliOptions;
  try {
    cli = parseCli(argv);
  } catch (err) {
    const help = (err as Error).message === 'help';
    if (help) console.log(USAGE);
    else console.error(`run-lab: ${(err as Error).message}\n${USAGE}`);
    process.exitCode = help ? 0 : 2;
    return;
  }
  const lab = await startLab({ ...cli, logger: consoleLogger });
  const w = lab.workspace;
  const lines = [
    `incident lab running; workspace ${lab.workspaceDir}`,
    `  storefront    http://127.0.0.1:${lab.ports.storefront}`,
    `  checkout      http://127.0.0.1:${lab.ports.checkout}`,
    `  payments      http://127.0.0.1:${lab.ports.payments}`,
    lab.ports.prometheus ? `  prometheus    http://127.0.0.1:${lab.ports.prometheus}` : '  prometheus    not running',
    lab.ports.alertmanager ? `  alertmanager  http://127.0.0.1:${lab.ports.alertmanager}` : '  alertmanager  not running',
    `  OTLP export   ${cli.otlpEndpoint ?? 'http://127.0.0.1:4318'}`,
    `  good deploy   ${w.goodDeployTag} ${w.goodSha.slice(0, 7)}; faulty commit ${w.badSha.slice(0, 7)}; head ${w.headSha.slice(0, 7)}`,
    cli.deployBadAfterMs === false ? '  the faulty deploy is off' : `  payments gets the faulty head in ${(cli.deployBadAfterMs ?? 5000) / 1000} s`,
    `  roll back:    node demo/lab/deploy.js --workspace ${lab.workspaceDir} --service payments --rollback`,
    'Ctrl+C stops everything.',
  ];
  console.log(lines.join('\n'));
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log('stopping the lab...');
    lab.stop().then(() => process.exit(0), (err) => {
      console.error(err);
      process.exit(1);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
