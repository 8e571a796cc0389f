// Lint rules that keep the layers of DESIGN.md honest: each folder of src/ may import only what the
// layer table says (import/no-restricted-paths zones), and only the host folders may import vscode.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';

const hostOnly = {
  paths: [{ name: 'vscode', message: 'Only src/vscode/, src/webview/ and src/extension.ts may import vscode: the core runs in plain Node.' }],
};

// The layer table: for each folder, the folders of src/ it may import (besides itself).
const layers = {
  core: [],
  sources: ['core'],
  analysis: ['core'],
  policy: ['core'],
  remediation: ['core', 'policy'],
  agent: ['core', 'analysis', 'sources', 'policy'],
  protocol: ['core'],
  webview: ['protocol', 'core'],
  eval: ['core', 'sources', 'analysis', 'agent', 'policy', 'remediation', 'protocol'],
  vscode: ['core', 'sources', 'analysis', 'agent', 'policy', 'remediation', 'protocol'],
};
const folders = [...Object.keys(layers), 'extension.ts', 'cli.ts', 'mcp.ts'];
const zones = [];
for (const [folder, allowed] of Object.entries(layers)) {
  for (const other of folders) {
    if (other === folder || allowed.includes(other)) continue;
    zones.push({ target: `./src/${folder}`, from: `./src/${other}`, message: `The layer table (DESIGN.md): src/${folder}/ may import only ${allowed.length ? allowed.map((a) => `src/${a}/`).join(', ') : 'nothing else of ours'}.` });
  }
}
for (const entry of ['cli.ts', 'mcp.ts']) zones.push({ target: `./src/${entry}`, from: './src/vscode', message: `src/${entry} runs without VS Code.` });

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.harness/**', 'demo/workspace/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-control-regex': 'off',
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'No default exports (house style).' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } } },
    rules: { 'import/no-restricted-paths': ['error', { zones }] },
  },
  {
    files: ['src/**/*.ts', 'bench/**/*.ts', 'test/unit/**/*.ts', 'demo/**/*.ts'],
    ignores: ['src/vscode/**', 'src/webview/**', 'src/extension.ts'],
    rules: { 'no-restricted-imports': ['error', hostOnly] },
  },
  {
    // Benchmark-only code (src/eval/) never reaches the product: a separate rule name, so the
    // vscode and webview restrictions above stay in force on the same files.
    files: ['src/**/*.ts'],
    ignores: ['src/eval/**', 'src/cli.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ group: ['**/eval', '**/eval/**'], message: 'src/eval/ is benchmark-only code: product layers must not import it (DESIGN.md layers).' }],
      }],
    },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Webview code runs in the browser: talk to the host through src/protocol/.' }] }],
    },
  },
);
