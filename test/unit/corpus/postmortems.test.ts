// Checks of the postmortem corpus's data (test/corpus/postmortems), not of the diagnosis: every bundle is a
// valid version-1 bundle, carries exactly its committed truth, names only commits, lines and hosts that
// exist in its own data, keeps its signals inside its window, and is what its builder produces.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateBundle, type IncidentBundle } from '../../../src/core/bundle';
import type { IncidentTruth } from '../../../src/eval/truth';
import type { MetricSeries } from '../../../src/core/model';
import { POSTMORTEM_CASES } from '../../corpus/postmortems/src/cases';
import { CORPUS_DIR, MAX_BUNDLE_BYTES, TRUTH_DIR, finishBundle } from '../../corpus/postmortems/src/lib/bundle';
import { SeededRandom } from '../../corpus/postmortems/src/lib/random';

const CAUSE_KINDS = ['code-change', 'config-change', 'dependency', 'capacity', 'infrastructure', 'unknown'];

const bundleFiles = fs.readdirSync(CORPUS_DIR).filter((f) => f.endsWith('.json'));
const truthFiles = fs.readdirSync(TRUTH_DIR).filter((f) => f.endsWith('.json'));

function load(slug: string): { raw: string; bundle: IncidentBundle; truth: IncidentTruth } {
  const raw = fs.readFileSync(path.join(CORPUS_DIR, `${slug}.json`), 'utf8');
  const bundle = validateBundle(JSON.parse(raw));
  const truth = JSON.parse(fs.readFileSync(path.join(TRUTH_DIR, `${slug}.json`), 'utf8')) as IncidentTruth;
  return { raw, bundle, truth };
}

/** Every string a source could show for a bundle: services, label and attribute values. */
function namesIn(b: IncidentBundle): Set<string> {
  const names = new Set<string>();
  const addAll = (rec?: Record<string, string | number | boolean>) => {
    for (const v of Object.values(rec ?? {})) if (typeof v === 'string') names.add(v);
  };
  for (const m of b.metrics) {
    if (m.service) names.add(m.service);
    addAll(m.labels);
  }
  for (const l of b.logs) {
    if (l.service) names.add(l.service);
    addAll(l.attributes);
  }
  for (const s of b.spans) {
    names.add(s.service);
    addAll(s.attributes);
  }
  return names;
}

function histogramGroups(metrics: MetricSeries[]): Map<string, MetricSeries[]> {
  const groups = new Map<string, MetricSeries[]>();
  for (const m of metrics) {
    if (m.labels.le === undefined) continue;
    const { le: _le, ...rest } = m.labels;
    const key = `${m.name}${JSON.stringify(Object.entries(rest).sort())}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return groups;
}

describe('postmortem corpus (test/corpus/postmortems): data checks', () => {
  it('has at least 16 cases, one bundle per truth file and one registered builder per bundle', () => {
    const slugs = truthFiles.map((f) => f.replace(/\.json$/, '')).sort();
    assert.ok(slugs.length >= 16, `only ${slugs.length} cases`);
    assert.deepEqual(bundleFiles.map((f) => f.replace(/\.json$/, '')).sort(), slugs);
    assert.deepEqual(POSTMORTEM_CASES.map((c) => c.slug).sort(), slugs);
  });

  for (const c of POSTMORTEM_CASES) {
    describe(c.slug, () => {
      it('is a valid version-1 bundle under the size bound, citing an https source', () => {
        const { raw, bundle } = load(c.slug);
        assert.equal(bundle.version, 1);
        assert.ok(Buffer.byteLength(raw) <= MAX_BUNDLE_BYTES, `${Buffer.byteLength(raw)} bytes`);
        assert.match(c.source.url, /^https:\/\//);
        assert.ok(bundle.metrics.length > 0 && bundle.logs.length > 0 && bundle.spans.length > 0, 'metrics, logs and spans are all present');
        assert.ok(bundle.logs.length <= 5000 && bundle.spans.length <= 5000, 'logs and spans are bounded');
      });

      it('carries exactly the committed truth file, with a known cause kind and its scenario', () => {
        const { bundle, truth } = load(c.slug);
        assert.deepEqual(bundle.truth, truth);
        assert.equal(truth.scenario, `postmortem:${c.slug}`);
        assert.ok(CAUSE_KINDS.includes(truth.causeKind), truth.causeKind);
        assert.ok(truth.service, 'the truth names the service where the cause lives');
        if (truth.commit) assert.notEqual(truth.noCodeCause, true, 'a named commit contradicts noCodeCause');
        else assert.equal(truth.path, undefined, 'a path without a commit');
      });

      it('names only a commit, file and lines that exist in its changes, inside a hunk, with the file content', () => {
        const { bundle, truth } = load(c.slug);
        if (!truth.commit) return;
        const change = bundle.changes.find((ch) => ch.sha === truth.commit);
        assert.ok(change, `commit ${truth.commit} is in changes`);
        const file = change.files.find((f) => f.path === truth.path);
        assert.ok(file, `${truth.path} is in the commit`);
        const inHunk = (file.hunks ?? []).some((h) => h.newStart <= truth.startLine! && truth.endLine! <= h.newStart + h.newLines - 1);
        assert.ok(inHunk, `lines ${truth.startLine}-${truth.endLine} lie inside one hunk of ${truth.path}`);
        const content = bundle.files?.[truth.path!];
        assert.ok(content, 'the guilty file\'s content is in files');
        assert.ok(content.split('\n').length >= truth.endLine!, 'the file has the named lines');
      });

      it('names a service (and host) that its own telemetry shows', () => {
        const { bundle, truth } = load(c.slug);
        const names = namesIn(bundle);
        assert.ok(names.has(truth.service!), `${truth.service} appears in the telemetry`);
        if (truth.host) assert.ok(names.has(truth.host), `${truth.host} appears in the telemetry`);
        if (truth.causeKind === 'dependency') {
          const asPeer = bundle.spans.some((s) => s.attributes['server.address'] === truth.service || s.attributes['peer.service'] === truth.service);
          assert.ok(asPeer, 'a dependency is named as server.address or peer.service on client spans');
        }
      });

      it('keeps every sample, log and span inside the window, and every change and alert at or before its end', () => {
        const { bundle } = load(c.slug);
        const { start, end } = bundle.window;
        assert.ok(start < end && end - start <= 4 * 3_600_000, 'window of at most a few hours');
        assert.ok(bundle.alert.startsAt >= start && bundle.alert.startsAt <= end, 'the alert fired inside the window');
        for (const a of bundle.alerts ?? []) assert.ok(a.startsAt <= end, `${a.name} starts by the window's end`);
        for (const m of bundle.metrics) {
          assert.equal(m.timestamps.length, m.values.length, m.id);
          m.timestamps.forEach((t, i) => {
            assert.ok(t >= start && t <= end, `${m.id} sample at ${t}`);
            if (i > 0) assert.ok(t > m.timestamps[i - 1], `${m.id} timestamps increase`);
          });
          assert.ok(m.values.every((v) => Number.isFinite(v)), `${m.id} values are finite`);
        }
        for (const l of bundle.logs) assert.ok(l.time >= start && l.time <= end, `log at ${l.time}`);
        for (const s of bundle.spans) assert.ok(s.startTime >= start && s.endTime <= end && s.endTime >= s.startTime, `span ${s.name}`);
        for (const ch of bundle.changes) {
          assert.ok(ch.time <= end, `commit ${ch.sha}`);
          if (ch.deploy) assert.ok(ch.deploy.time >= ch.time && ch.deploy.time <= end, `deploy of ${ch.sha} after its commit, by the end`);
        }
      });

      it('has scrape-like series: steps of 15-60 s, cumulative histogram buckets, spans whose parents exist', () => {
        const { bundle } = load(c.slug);
        for (const m of bundle.metrics) {
          for (let i = 1; i < m.timestamps.length; i++) {
            const step = m.timestamps[i] - m.timestamps[i - 1];
            assert.ok(step >= 15_000 && (step <= 60_000 || step % 15_000 === 0), `${m.id} step ${step}`);
          }
        }
        for (const [key, series] of histogramGroups(bundle.metrics)) {
          const byLe = [...series].sort((a, b) => (a.labels.le === '+Inf' ? Infinity : Number(a.labels.le)) - (b.labels.le === '+Inf' ? Infinity : Number(b.labels.le)));
          for (let i = 1; i < byLe.length; i++) {
            byLe[i].values.forEach((v, j) => assert.ok(v >= byLe[i - 1].values[j], `${key} buckets cumulative at ${byLe[i].timestamps[j]}`));
          }
        }
        const ids = new Set(bundle.spans.map((s) => `${s.traceId}/${s.spanId}`));
        for (const s of bundle.spans) if (s.parentSpanId) assert.ok(ids.has(`${s.traceId}/${s.parentSpanId}`), `parent of ${s.name}`);
      });

      it('is exactly what its seeded builder writes (the committed JSON is not edited by hand)', () => {
        const { raw } = load(c.slug);
        const rebuilt = `${JSON.stringify(finishBundle(c, c.build(new SeededRandom(`${c.slug}#1`))))}\n`;
        assert.ok(rebuilt === raw, 'rebuild differs from the committed bundle: run npx tsx test/corpus/postmortems/src/build.ts');
      });
    });
  }
});
