import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProgressEvent } from '../../../src/core/investigation';
import type { LogRecord } from '../../../src/core/model';
import type { LogSource } from '../../../src/core/sources';
import { SourceError } from '../../../src/core/errors';
import { GitChangeSource } from '../../../src/sources/git';
import { investigate } from '../../../src/agent/investigate';
import { ScenarioLogs, ScenarioMetrics, ScenarioTraces } from './scenarioSources';
import { generateScenario } from '../../../src/eval/scenarios/generator';


class DownLogs implements LogSource {
  readonly name = 'loki-prod';
  readonly kind = 'loki';
  async queryLogs(): Promise<LogRecord[]> {
    throw new SourceError('down', this.name, 'connection refused');
  }
}

function git(cwd: string, args: string[], when?: number): string {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_AUTHOR_NAME: 'Mei Chen', GIT_AUTHOR_EMAIL: 'mei@acme.dev', GIT_COMMITTER_NAME: 'Mei Chen', GIT_COMMITTER_EMAIL: 'mei@acme.dev', GIT_CONFIG_NOSYSTEM: '1', HOME: cwd };
  if (when !== undefined) env.GIT_AUTHOR_DATE = env.GIT_COMMITTER_DATE = `@${Math.floor(when / 1000)} +0000`;
  return execFileSync('git', args, { cwd, env, encoding: 'utf8' });
}

describe('investigate', function () {
  this.timeout(60_000);
  let repo: string;

  before(function () {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'il-investigate-'));
  });
  after(function () {
    fs.rmSync(repo, { recursive: true, force: true });
  });

  it('gathers signals from the sources, names the commit of a real repository, blames its lines, and reports a down source', async function () {
    const b = generateScenario('deploy-exception', 515151);
    const truth = b.truth!;
    const causeDeploy = b.changes.find((c) => c.sha === truth.commit)!.deploy!.time;
    // A repository where the generated cause really happened: the faulty lines change, then a deploy tag.
    git(repo, ['init', '-q', '-b', 'main']);
    const file = path.join(repo, truth.path!);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lines = Array.from({ length: 220 }, (_, i) => `// line ${i + 1}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    git(repo, ['add', '-A'], causeDeploy - 48 * 3600_000);
    git(repo, ['commit', '-q', '-m', 'Initial import'], causeDeploy - 48 * 3600_000);
    for (let l = truth.startLine!; l <= truth.endLine!; l++) lines[l - 1] = `const total = items[${l}].amount; // changed`;
    fs.writeFileSync(file, lines.join('\n') + '\n');
    git(repo, ['add', '-A'], causeDeploy - 20 * 60_000);
    git(repo, ['commit', '-q', '-m', 'Support gift cards'], causeDeploy - 20 * 60_000);
    const causeSha = git(repo, ['rev-parse', 'HEAD']).trim();
    git(repo, ['tag', '-a', 'deploy/prod-1', '-m', 'deploy'], causeDeploy);

    const steps: ProgressEvent[] = [];
    const result = await investigate(
      b.alert,
      { metrics: [new ScenarioMetrics(b.metrics)], logs: [new ScenarioLogs(b.logs), new DownLogs()], traces: [new ScenarioTraces(b.spans)], changes: new GitChangeSource({ workspace: repo }) },
      { now: b.window.end, onProgress: (s) => steps.push(s) },
    );
    assert.deepEqual(result.errors, [{ kind: 'logs', source: 'loki-prod', message: 'loki-prod: connection refused' }]);
    assert.ok(result.bundle.metrics.length > 0 && result.bundle.logs.length > 0 && result.bundle.spans.length > 0);
    assert.deepEqual(result.bundle.changes.map((c) => c.message), ['Support gift cards'], 'the 2-day-old import is outside the 24 h look-back');
    const h = result.hypothesis;
    assert.equal(h.causeKind, 'code-change');
    assert.equal(h.service, truth.service);
    assert.equal(h.suspectCommit?.sha, causeSha);
    assert.equal(h.location?.path, truth.path);
    assert.ok(h.location!.blame && h.location!.blame.length > 0, 'the suspect lines are blamed');
    assert.ok(h.location!.blame!.some((l) => l.sha === causeSha && /changed/.test(l.text)));
    const last = (step: string) => steps.filter((e) => e.step === step).pop()?.state;
    assert.deepEqual(['metrics', 'logs', 'traces', 'changes', 'findings', 'hypothesis'].map(last), ['done', 'done', 'done', 'done', 'done', 'done'], 'one of two log sources failing leaves logs done');
    assert.equal(steps[steps.length - 1].step, 'hypothesis');
    assert.match(steps.filter((e) => e.step === 'logs').pop()!.detail ?? '', /1 of 2 sources failed/);
  });

  it('stops when cancelled', async function () {
    const b = generateScenario('deploy-exception', 515152);
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(investigate(b.alert, { logs: [new ScenarioLogs(b.logs)] }, { signal: ctl.signal }), /cancelled/);
  });
});
