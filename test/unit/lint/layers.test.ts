import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

// The layer table of DESIGN.md is enforced by the project's own lint configuration: these snippets are
// linted as if they were files in src/, with the real eslint.config.mjs.
const root = path.resolve(__dirname, '../../..');

async function lint(file: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer boundaries (lint import zones)', function () {
  this.timeout(60_000);

  it('fails a forbidden import: analysis reaching into agent, core into sources, agent into vscode, product into eval', async function () {
    const cases: [string, string][] = [
      ['src/analysis/zz-layer-probe.ts', "import { diagnose } from '../agent/diagnose';\nexport const x = diagnose;\n"],
      ['src/core/zz-layer-probe.ts', "import { SourceSet } from '../sources/sourceSet';\nexport const x = SourceSet;\n"],
      ['src/agent/zz-layer-probe.ts', "import { stepLabels } from '../protocol/investigationView';\nexport const x = stepLabels;\n"],
      ['src/sources/zz-layer-probe.ts', "import { generateSuite } from '../eval/scenarios/generator';\nexport const x = generateSuite;\n"],
      ['src/webview/investigation/zz-layer-probe.ts', "import { seriesRole } from '../../analysis/series/roles';\nexport const x = seriesRole;\n"],
    ];
    for (const [file, code] of cases) {
      const messages = await lint(file, code);
      assert.ok(messages.some((m) => m.startsWith('import/no-restricted-paths')), `${file}: ${messages.join('; ') || 'no error'}`);
    }
  });

  it('allows what the table allows, and vscode only in the host folders', async function () {
    assert.deepEqual(await lint('src/agent/zz-layer-probe.ts', "import { computeFindings } from '../analysis/findings/computeFindings';\nexport const x = computeFindings;\n"), []);
    assert.deepEqual(await lint('src/protocol/zz-layer-probe.ts', "import type { Alert } from '../core/model';\nexport type X = Alert;\n"), []);
    const leaked = await lint('src/analysis/zz-layer-probe.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n");
    assert.ok(leaked.some((m) => m.startsWith('no-restricted-imports')), leaked.join('; '));
  });
});
