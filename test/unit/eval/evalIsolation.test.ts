import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(__dirname, '..', '..', '..');

/** Relative module specifiers of a TypeScript file: static imports, re-exports and import(). */
function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s*|import\s*\(\s*|import\s+)'(\.[^']+)'/g)) out.push(m[1]);
  return out;
}

function resolveModule(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

describe('benchmark-only code stays out of the product', () => {
  it('no file the extension bundle reaches from src/extension.ts is under src/eval/', () => {
    // webpack bundles exactly what the entry reaches through imports, so this is the bundle's file set.
    const seen = new Set<string>();
    const queue = [path.join(root, 'src', 'extension.ts')];
    while (queue.length > 0) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const spec of relativeImports(file)) {
        const target = resolveModule(file, spec);
        if (target && target.endsWith('.ts')) queue.push(target);
      }
    }
    assert.ok(seen.size > 20, `the walk found only ${seen.size} files: the import scan is broken`);
    assert.ok([...seen].some((f) => f.includes(`${path.sep}analysis${path.sep}`)), 'the walk should reach analysis/');
    const evalFiles = [...seen].filter((f) => f.includes(`${path.sep}src${path.sep}eval${path.sep}`));
    assert.deepEqual(evalFiles, []);
  });

  it('lint rejects an import of src/eval/ from a product layer and allows it from a benchmark', async () => {
    const eslint = new ESLint({ cwd: root });
    const code = "import { NAB_PROFILES } from '../eval/nab/corpus';\nexport const profiles = NAB_PROFILES;\n";
    for (const layer of ['analysis', 'agent', 'sources', 'vscode']) {
      const [result] = await eslint.lintText(code, { filePath: path.join(root, 'src', layer, 'probe.ts') });
      const messages = result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports');
      assert.equal(messages.length, 1, `src/${layer}: ${JSON.stringify(result.messages)}`);
      assert.match(messages[0].message, /benchmark-only/);
    }
    const bench = "import { NAB_PROFILES } from '../src/eval/nab/corpus';\nexport const profiles = NAB_PROFILES;\n";
    const [allowed] = await eslint.lintText(bench, { filePath: path.join(root, 'bench', 'probe.ts') });
    assert.deepEqual(allowed.messages, []);
  });
});
