// Coverage readers on real reports written here by real tools (c8, which writes lcov, Cobertura XML
// and Istanbul's coverage-final.json, and Node's own test runner, which writes lcov) over a small
// project this test builds, and on documented examples of the formats no tool here writes (Go's
// cover profile, JaCoCo's XML).
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { coverageOfFile, discoverCoverageReports, parseCoverage, readCoverageReport, summarizeLines, type LoadedReport } from '../../../../src/sources/coverage/reports';
import { parseGoCover } from '../../../../src/sources/coverage/goCover';
import { parseJacoco } from '../../../../src/sources/coverage/jacoco';
import { parseCobertura } from '../../../../src/sources/coverage/cobertura';

// services/pricing/src/price.js: line numbers matter, they are what the assertions name.
const PRICE_JS = [
  "'use strict';", //                                       1
  'function price(amount, coupon) {', //                    2
  '  if (amount < 0) {', //                                 3
  "    throw new Error('negative amount');", //            4  never runs
  '  }', //                                                 5
  '  if (coupon) {', //                                     6
  '    return amount * 0.9;', //                            7
  '  }', //                                                 8
  '  return amount;', //                                    9
  '}', //                                                  10
  'function unused() {', //                                11
  '  return 42;', //                                       12  never runs
  '}', //                                                  13
  'module.exports = { price, unused };', //                14
].join('\n') + '\n';

const TEST_JS = [
  "const assert = require('node:assert');",
  "const { test } = require('node:test');",
  "const { price } = require('../src/price');",
  "test('a coupon takes 10% off', () => assert.strictEqual(price(100, true), 90));",
  "test('no coupon, full price', () => assert.strictEqual(price(100, false), 100));",
].join('\n') + '\n';

function coveredSet(r: LoadedReport, workspace: string, repoPath: string): { covered: number[]; uncovered: number[] } {
  const f = coverageOfFile(r, workspace, repoPath);
  assert.ok(f, `${r.report.format}: no entry for ${repoPath}`);
  const covered = [...f.lines].filter(([, h]) => h > 0).map(([l]) => l).sort((a, b) => a - b);
  const uncovered = [...f.lines].filter(([, h]) => h === 0).map(([l]) => l).sort((a, b) => a - b);
  return { covered, uncovered };
}

describe('coverage reports', function () {
  this.timeout(120_000);
  let ws: string;

  before(function () {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'il-coverage-'));
    const project = path.join(ws, 'services', 'pricing');
    fs.mkdirSync(path.join(project, 'src'), { recursive: true });
    fs.mkdirSync(path.join(project, 'test'), { recursive: true });
    fs.writeFileSync(path.join(project, 'src', 'price.js'), PRICE_JS);
    fs.writeFileSync(path.join(project, 'test', 'price.test.js'), TEST_JS);
    fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "pricing", "private": true }\n');
    const c8 = require.resolve('c8/bin/c8.js');
    execFileSync(process.execPath, [c8, '--reporter=lcov', '--reporter=cobertura', '--reporter=json', '--reports-dir=coverage', '--include=src/**', process.execPath, '--test', 'test/price.test.js'], { cwd: project, stdio: 'pipe' });
    // Node's own test runner writes lcov too (a second, independent tool).
    execFileSync(process.execPath, ['--test', '--experimental-test-coverage', '--test-reporter=lcov', '--test-reporter-destination=node-lcov.info', 'test/price.test.js'], { cwd: project, stdio: 'pipe' });
  });

  after(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('finds the reports c8 wrote where c8 writes them, in a service folder', async () => {
    const found = await discoverCoverageReports(ws);
    assert.deepEqual(found.sort(), ['services/pricing/coverage/cobertura-coverage.xml', 'services/pricing/coverage/coverage-final.json', 'services/pricing/coverage/lcov.info']);
  });

  it('reads the same covered and uncovered lines from c8\'s lcov, Cobertura and Istanbul JSON reports', async () => {
    const repoPath = 'services/pricing/src/price.js';
    const lcov = await readCoverageReport(ws, 'services/pricing/coverage/lcov.info');
    const cobertura = await readCoverageReport(ws, 'services/pricing/coverage/cobertura-coverage.xml');
    const istanbul = await readCoverageReport(ws, 'services/pricing/coverage/coverage-final.json');
    assert.deepEqual([lcov.report.format, cobertura.report.format, istanbul.report.format], ['lcov', 'cobertura', 'istanbul']);
    const a = coveredSet(lcov, ws, repoPath);
    const b = coveredSet(cobertura, ws, repoPath);
    // c8 converts V8's byte ranges to lines; lcov and Cobertura come from the same line map.
    assert.deepEqual(b, a);
    for (const r of [a, b]) {
      assert.ok(r.uncovered.includes(4), `the throw (line 4) never ran: ${JSON.stringify(r)}`);
      assert.ok(r.uncovered.includes(12), `unused() (line 12) never ran: ${JSON.stringify(r)}`);
      for (const line of [2, 3, 6, 7, 9]) assert.ok(r.covered.includes(line), `line ${line} ran: ${JSON.stringify(r)}`);
    }
    // Istanbul's JSON counts statements: the uncovered statements are on the lines that never ran.
    const c = coveredSet(istanbul, ws, repoPath);
    assert.ok(c.uncovered.includes(4) && c.uncovered.includes(12), JSON.stringify(c));
    assert.ok(c.covered.includes(7) && c.covered.includes(9), JSON.stringify(c));
    // A change to lines 4 and 7 is half covered, by any of the three.
    for (const r of [lcov, cobertura, istanbul]) assert.deepEqual(summarizeLines(coverageOfFile(r, ws, repoPath), [4, 7]), { instrumented: 2, covered: 1 }, r.report.format);
  });

  it('reads the lcov Node\'s own test runner writes, with paths relative to the project', async () => {
    const r = await readCoverageReport(ws, 'services/pricing/node-lcov.info');
    const s = coveredSet(r, ws, 'services/pricing/src/price.js');
    assert.ok(s.uncovered.includes(4) && s.uncovered.includes(12), JSON.stringify(s));
    assert.ok(s.covered.includes(7), JSON.stringify(s));
  });

  it('reads Go\'s documented cover profile (cmd/cover testdata/profile.cov) by import path', () => {
    // The profile of Go's own cmd/cover tests: blocks without statements make nothing executable.
    const r = parseGoCover('mode: set\n./testdata/p.go:10.10,12.2 0 0\n./testdata/p.go:15.10,17.2 0 0\n./testdata/p.go:20.10,22.2 0 0\n./testdata/p.go:25.16,27.2 1 1\n');
    assert.deepEqual([...r.files[0].lines], [[25, 1], [26, 1], [27, 1]]);
    // A count-mode profile with import paths (the form `go test -coverprofile` writes in a module).
    const profile = 'mode: count\nexample.com/shop/pricing/price.go:5.40,7.16 2 3\nexample.com/shop/pricing/price.go:7.16,9.3 1 0\nexample.com/shop/pricing/price.go:10.2,10.15 1 3\n';
    const loaded: LoadedReport = { file: 'coverage.out', mtimeMs: 0, report: parseCoverage(profile) };
    assert.equal(loaded.report.format, 'go');
    const f = coverageOfFile(loaded, ws, 'pricing/price.go');
    assert.ok(f, 'the import path matches the repository path by its trailing components');
    // Line 7 is shared by a run block and a block that never ran: the larger count wins.
    assert.deepEqual([...f.lines].sort((x, y) => x[0] - y[0]), [[5, 3], [6, 3], [7, 3], [8, 0], [9, 0], [10, 3]]);
  });

  it('reads JaCoCo\'s documented XML report (report.dtd) by package and source file', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">
<report name="shop">
  <sessioninfo id="host-1" start="1741637758834" dump="1741637759283"/>
  <group name="pricing">
    <package name="com/shop/pricing">
      <class name="com/shop/pricing/Price" sourcefilename="Price.java">
        <method name="&lt;init&gt;" desc="()V" line="3"><counter type="INSTRUCTION" missed="3" covered="0"/></method>
      </class>
      <sourcefile name="Price.java">
        <line nr="3" mi="3" ci="0" mb="0" cb="0"/>
        <line nr="5" mi="0" ci="4" mb="0" cb="0"/>
        <line nr="6" mi="0" ci="0" mb="0" cb="0"/>
        <line nr="9" mi="4" ci="0" mb="1" cb="1"/>
        <counter type="LINE" missed="2" covered="1"/>
      </sourcefile>
    </package>
  </group>
</report>`;
    const loaded: LoadedReport = { file: 'target/site/jacoco/jacoco.xml', mtimeMs: 0, report: parseCoverage(xml) };
    assert.equal(loaded.report.format, 'jacoco');
    const f = coverageOfFile(loaded, ws, 'pricing/src/main/java/com/shop/pricing/Price.java');
    assert.ok(f);
    assert.deepEqual([...f.lines], [[3, 0], [5, 4], [9, 0]], 'a line without instructions (6) is not instrumented');
    assert.deepEqual(parseJacoco(xml).files.map((x) => x.path), ['com/shop/pricing/Price.java']);
  });

  it('treats hostile reports as data: entities are not expanded, devices and links out of the workspace are refused', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE coverage [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY ext SYSTEM "file:///etc/passwd">]>
<coverage><sources><source>&ext;</source></sources><packages><package><classes><class filename="&b;.js"><lines><line number="1" hits="2"/></lines></class></classes></package></packages></coverage>`;
    const r = parseCobertura(bomb);
    assert.deepEqual(r.roots, ['&ext;']);
    assert.equal(r.files[0].path, '&b;.js');
    fs.mkdirSync(path.join(ws, 'coverage'), { recursive: true });
    execFileSync('mkfifo', [path.join(ws, 'coverage', 'lcov.info')]);
    await assert.rejects(readCoverageReport(ws, 'coverage/lcov.info'), /not a regular file/);
    fs.rmSync(path.join(ws, 'coverage', 'lcov.info'));
    fs.symlinkSync('/etc/hostname', path.join(ws, 'coverage', 'lcov.info'));
    await assert.rejects(readCoverageReport(ws, 'coverage/lcov.info'), /outside the workspace/);
    fs.rmSync(path.join(ws, 'coverage'), { recursive: true });
    assert.throws(() => parseCoverage('SF:a.js\nDA:x,1\nend_of_record\n'), /lcov coverage report: line 2: malformed DA record/);
    assert.throws(() => parseCoverage('hello'), /not lcov, Cobertura XML, Istanbul JSON, a Go cover profile or JaCoCo XML/);
  });
});
