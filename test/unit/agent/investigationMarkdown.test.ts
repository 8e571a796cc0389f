// The Markdown export of an investigation (the start of a postmortem), from a real investigation of a
// generated incident, rendered by a real Markdown renderer (markdown-it with HTML and linkify on, the
// most permissive setting) to check that hostile text stays text.
import * as assert from 'node:assert/strict';
import type { Investigation } from '../../../src/core/investigation';
import { investigate } from '../../../src/agent/investigate';
import { codeSpan, escapeMarkdown, investigationMarkdown } from '../../../src/agent/investigationMarkdown';
import { generateScenario } from '../../../src/eval/scenarios/generator';
import { ScenarioChanges, ScenarioLogs, ScenarioMetrics, ScenarioTraces } from './scenarioSources';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const MarkdownIt = require('markdown-it') as new (o: object) => { render(s: string): string };
const render = (md: string) => new MarkdownIt({ html: true, linkify: true }).render(md);

describe('investigation as Markdown', function () {
  this.timeout(60_000);
  let inv: Investigation;
  const hostileName = '<img src=x onerror=alert(1)> [click](javascript:alert(1)) http://evil.example/x www.evil.example ops@evil.example';

  before(async () => {
    const b = generateScenario('deploy-exception', 424242);
    b.alert.name = hostileName;
    b.alert.annotations = { summary: '<script>alert(1)</script>' };
    b.changes[0].message = '# heading\n![img](http://evil.example/i.png) | cell | `code` <b>bold</b>';
    inv = await investigate(b.alert, { metrics: [new ScenarioMetrics(b.metrics)], logs: [new ScenarioLogs(b.logs)], traces: [new ScenarioTraces(b.spans)], changes: new ScenarioChanges(b.changes) }, { now: b.window.end });
  });

  it('has the sections of a postmortem draft, with the actions taken from the ledger', () => {
    const resolvedAt = inv.alert.startsAt + 10 * 60_000;
    const md = investigationMarkdown(inv, {
      alert: { ...inv.alert, state: 'resolved', endsAt: resolvedAt },
      timeZone: 'UTC',
      now: resolvedAt + 60_000,
      actions: [{ actionId: 'rollback-deploy', time: resolvedAt - 120_000, status: 'recovered', message: 'Recovered: api error ratio back under 5%: 0.4 % < 5 %', entries: [{ time: resolvedAt - 120_000, title: 'Approved: rollback-deploy' }, { time: resolvedAt - 60_000, title: 'Recovered: api error ratio back under 5%: 0.4 % < 5 %' }] }],
      links: [{ label: 'Prometheus graph', url: 'http://prometheus.example:9090/graph?g0.expr=up' }, { label: 'bad', url: 'javascript:alert(1)' }],
    });
    const headings = md.split('\n').filter((l) => /^#{1,6} /.test(l));
    assert.deepEqual(headings, ['# Incident: ' + escapeMarkdown(hostileName) + (inv.hypothesis.service ? ` on ${inv.hypothesis.service}` : ''), '## Summary', '## Timeline', '## Hypothesis', '## Evidence', '## Suspect commits', '## Actions taken', '## What was checked', '## Links']);
    assert.match(md, /Times are local \(UTC\)/);
    assert.ok(md.includes('`rollback-deploy`: **recovered**'), 'the action and its outcome');
    assert.match(md, /Recovered: api error ratio back under 5%: 0\.4 % \\< 5 %/);
    assert.match(md, /\*\*Onset\*\*/);
    assert.match(md, /resolved \|/);
    for (const e of inv.hypothesis.evidence.slice(0, 30)) assert.ok(md.includes(`**${e.id}**`), `evidence ${e.id} missing`);
    const timelineRows = md.split('## Timeline')[1].split('##')[0].split('\n').filter((l) => l.startsWith('| 20'));
    const times = timelineRows.map((r) => Date.parse(r.split('|')[1].trim().replace(' UTC', 'Z').replace(' ', 'T')));
    assert.ok(times.length >= 4 && times.every((t, i) => i === 0 || t >= times[i - 1]), 'the timeline is in time order');
    assert.match(md, /before the onset|after the onset|at the onset/);
    assert.doesNotMatch(md, /(^|\D)0 min|−1 min/);
    assert.ok(md.includes('<http://prometheus.example:9090/graph?g0.expr=up>'));
    assert.ok(!md.includes('javascript:alert(1)>'), 'a javascript: link was written as a link');
  });

  it('renders hostile alert names, commit messages and annotations as text: no link, image, HTML or heading of theirs', () => {
    const html = render(investigationMarkdown(inv, { timeZone: 'UTC', now: inv.finishedAt }));
    assert.doesNotMatch(html, /<img|<script|<b>|href="javascript/i);
    const links = [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]);
    assert.deepEqual(links, [], `links rendered: ${links.join(', ')}`);
    assert.equal((html.match(/<h1>/g) ?? []).length, 1);
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'), 'the name is shown as written');
    assert.ok(html.includes('http://evil.example/x'), 'the URL is shown as text');
    // Without escaping, the same renderer does make links and images of it: the check can fail.
    assert.match(render(hostileName), /<a href|<img/);
  });

  it('code spans survive backticks and pipes in the text', () => {
    assert.equal(codeSpan('a `b` c'), '``a `b` c``');
    assert.equal(codeSpan('`edge'), '`` `edge ``');
    assert.equal(codeSpan('x|y'), '`x\\|y`');
    assert.equal(escapeMarkdown('1. not a list\nline'), '1\\. not a list line');
  });
});
