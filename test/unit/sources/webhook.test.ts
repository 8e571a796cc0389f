// The webhook receiver fed with the documented Alertmanager v4 payload over real HTTP. (The real
// Alertmanager pushing to it is in realStack.test.ts.)

import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { WebhookReceiver } from '../../../src/sources/webhook';
import { labelsFingerprint } from '../../../src/sources/alertFields';

function post(url: string, body: string, headers: Record<string, string> = {}, method = 'POST'): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function payload(alerts: object[], status = 'firing'): string {
  return JSON.stringify({
    receiver: 'incident-lens',
    status,
    alerts,
    groupLabels: { alertname: 'ProbeFailure' },
    commonLabels: { alertname: 'ProbeFailure' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.org:9093',
    version: '4',
    groupKey: '{}/{severity="critical"}:{alertname="ProbeFailure"}',
    truncatedAlerts: 0,
  });
}

const labelsOf = (instance: string) => ({ alertname: 'ProbeFailure', instance, job: 'http_checks', severity: 'critical', env: 'prod' });
/** The id an alert gets: its fingerprint computed from its labels, whatever the payload claims. */
const fp = (instance: string) => labelsFingerprint(labelsOf(instance));

function alert(instance: string, status: 'firing' | 'resolved', fingerprint?: string): object {
  return {
    status,
    labels: labelsOf(instance),
    annotations: { summary: `BlackBox Probe Failure: ${instance}` },
    startsAt: '2023-02-06T13:08:45.828Z',
    endsAt: status === 'resolved' ? '2023-02-06T13:20:00Z' : '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0',
    ...(fingerprint ? { fingerprint } : {}),
  };
}

describe('WebhookReceiver (documented Alertmanager webhook v4 payloads over real HTTP)', () => {
  let receiver: WebhookReceiver;
  afterEach(async () => {
    await receiver?.stop();
  });

  it('keeps firing alerts by fingerprint, marks resolved ones, and tells listeners', async () => {
    receiver = new WebhookReceiver({ port: 0, path: '/hook' });
    await receiver.start();
    let changes = 0;
    receiver.onDidChangeAlerts(() => changes++);
    const r1 = await post(receiver.url, payload([alert('https://a.example.org', 'firing', '1a30ba71cca2921f'), alert('https://b.example.org', 'firing', '2b30ba71cca2921f')]));
    assert.equal(r1.status, 200);
    let alerts = await receiver.listAlerts();
    const [idA, idB] = [fp('https://a.example.org'), fp('https://b.example.org')];
    assert.deepEqual(alerts.map((a) => [a.id, a.state, a.severity, a.service, a.environment]).sort(), [
      [idA, 'firing', 'critical', 'http_checks', 'prod'],
      [idB, 'firing', 'critical', 'http_checks', 'prod'],
    ].sort());
    assert.equal(alerts[0].endsAt, undefined, "Go's zero time is no end");
    await post(receiver.url, payload([alert('https://a.example.org', 'resolved', '1a30ba71cca2921f')], 'resolved'));
    alerts = await receiver.listAlerts();
    const a = alerts.find((x) => x.id === idA)!;
    assert.equal(a.state, 'resolved');
    assert.equal(a.endsAt, Date.parse('2023-02-06T13:20:00Z'));
    assert.equal(alerts.find((x) => x.id === idB)!.state, 'firing');
    assert.equal(changes, 2);
    assert.equal(receiver.uiLink(a), 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0');
  });

  it('computes the fingerprint from labels, whether or not the payload carries one', async () => {
    receiver = new WebhookReceiver({ port: 0 });
    await receiver.start();
    await post(receiver.url, payload([alert('https://a.example.org', 'firing')]));
    await post(receiver.url, payload([alert('https://b.example.org', 'firing', 'ffffffffffffffff')]));
    assert.deepEqual((await receiver.listAlerts()).map((a) => a.id).sort(), [fp('https://a.example.org'), fp('https://b.example.org')].sort());
  });

  it('rejects bodies that are not the v4 payload with a reason, and keeps what it had', async () => {
    receiver = new WebhookReceiver({ port: 0 });
    await receiver.start();
    await post(receiver.url, payload([alert('https://a.example.org', 'firing', 'aaaa000000000001')]));
    const cases: [string, RegExp][] = [
      ['not json', /not valid JSON/],
      ['[]', /not a JSON object/],
      [JSON.stringify({ version: '3', alerts: [] }), /unsupported payload version "3"/],
      [JSON.stringify({ version: '4' }), /no alerts list/],
      [JSON.stringify({ version: '4', alerts: [{ status: 'weird', labels: {}, startsAt: '2023-02-06T13:08:45Z' }] }), /alerts\[0\]\.status/],
      [JSON.stringify({ version: '4', alerts: [{ status: 'firing', labels: 'x', startsAt: '2023-02-06T13:08:45Z' }] }), /alerts\[0\]\.labels/],
      [JSON.stringify({ version: '4', alerts: [{ status: 'firing', labels: {}, startsAt: 'yesterday' }] }), /startsAt/],
    ];
    for (const [body, why] of cases) {
      const r = await post(receiver.url, body);
      assert.equal(r.status, 400, body);
      assert.match(r.text, why);
    }
    assert.equal((await post(receiver.url, '', {}, 'GET')).status, 405);
    assert.deepEqual((await receiver.listAlerts()).map((a) => a.id), [fp('https://a.example.org')]);
  });

  it('refuses an oversized body with 413', async () => {
    receiver = new WebhookReceiver({ port: 0, maxBodyBytes: 1000 });
    await receiver.start();
    const r = await post(receiver.url, payload(Array.from({ length: 50 }, (_, i) => alert(`https://h${i}.example.org`, 'firing'))));
    assert.equal(r.status, 413);
    assert.deepEqual(await receiver.listAlerts(), []);
  });

  it('stays bounded: resolved alerts are dropped first, then the least recently updated', async () => {
    receiver = new WebhookReceiver({ port: 0, maxAlerts: 3 });
    await receiver.start();
    await post(receiver.url, payload([alert('h1', 'firing', 'f1'), alert('h2', 'firing', 'f2'), alert('h3', 'firing', 'f3')]));
    await post(receiver.url, payload([alert('h2', 'resolved', 'f2')], 'resolved'));
    await post(receiver.url, payload([alert('h4', 'firing', 'f4')]));
    assert.deepEqual((await receiver.listAlerts()).map((a) => a.id).sort(), [fp('h1'), fp('h3'), fp('h4')].sort());
    await post(receiver.url, payload([alert('h5', 'firing', 'f5')]));
    assert.deepEqual((await receiver.listAlerts()).map((a) => a.id).sort(), [fp('h3'), fp('h4'), fp('h5')].sort());
  });

  it('checks the bearer token when one is configured', async () => {
    receiver = new WebhookReceiver({ port: 0, expectedToken: async () => 'hook-secret' });
    await receiver.start();
    assert.equal((await post(receiver.url, payload([alert('h1', 'firing', 'f1')]))).status, 401);
    assert.equal((await post(receiver.url, payload([alert('h1', 'firing', 'f1')]), { authorization: 'Bearer hook-secret' })).status, 200);
    assert.equal((await receiver.listAlerts()).length, 1);
  });

  it('says clearly when its port is taken', async () => {
    receiver = new WebhookReceiver({ port: 0 });
    const port = await receiver.start();
    const second = new WebhookReceiver({ port });
    await assert.rejects(second.start(), /port \d+ is already in use/);
  });
});
