import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateSourceConfigs } from '../../../src/sources/registry';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { writeLabSourceSettings } = require('../../../scripts/lab-settings.js') as {
  writeLabSourceSettings(dir: string, ports: { prometheus?: number; alertmanager?: number }): { file: string; written: boolean; reason?: string };
};

describe("npm start's workspace settings: the lab's Prometheus and Alertmanager as sources", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'il-lab-settings-'));
    execFileSync('git', ['init', '-q', dir]);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const read = () => JSON.parse(fs.readFileSync(path.join(dir, '.vscode', 'settings.json'), 'utf8')) as Record<string, unknown>;

  it('adds both as sources the extension accepts, keeping the settings and sources already there', () => {
    fs.mkdirSync(path.join(dir, '.vscode'));
    fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify({ 'editor.tabSize': 2, 'incidentLens.sources': [{ name: 'team-loki', kind: 'loki', url: 'http://loki:3100' }] }));
    assert.equal(writeLabSourceSettings(dir, { prometheus: 41001, alertmanager: 41002 }).written, true);
    const s = read();
    assert.equal(s['editor.tabSize'], 2);
    const { configs, errors } = validateSourceConfigs(s['incidentLens.sources']);
    assert.deepEqual(errors, []);
    assert.deepEqual(configs.map((c) => [c.name, c.kind, c.url]), [
      ['team-loki', 'loki', 'http://loki:3100'],
      ['lab-prometheus', 'prometheus', 'http://127.0.0.1:41001'],
      ['lab-alertmanager', 'alertmanager', 'http://127.0.0.1:41002'],
    ]);
    // A second start on new ports replaces the lab's entries instead of adding more.
    writeLabSourceSettings(dir, { prometheus: 42001, alertmanager: 42002 });
    assert.deepEqual((read()['incidentLens.sources'] as { url: string }[]).map((x) => x.url), ['http://loki:3100', 'http://127.0.0.1:42001', 'http://127.0.0.1:42002']);
    // The generated file does not show in the lab repository's status.
    assert.equal(execFileSync('git', ['-C', dir, 'status', '--porcelain'], { encoding: 'utf8' }), '');
  });

  it('removes the entries when the lab runs without Prometheus, so no stale port shows as a broken source', () => {
    writeLabSourceSettings(dir, { prometheus: 41001, alertmanager: 41002 });
    writeLabSourceSettings(dir, {});
    assert.deepEqual(read()['incidentLens.sources'], []);
  });

  it('leaves a settings file with comments alone, and says so', () => {
    fs.mkdirSync(path.join(dir, '.vscode'));
    const text = '{\n  // my own\n  "editor.tabSize": 4\n}\n';
    fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), text);
    const r = writeLabSourceSettings(dir, { prometheus: 41001, alertmanager: 41002 });
    assert.equal(r.written, false);
    assert.match(r.reason!, /not plain JSON/);
    assert.equal(fs.readFileSync(path.join(dir, '.vscode', 'settings.json'), 'utf8'), text);
  });
});
