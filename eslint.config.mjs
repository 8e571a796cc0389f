// Lint rules that keep the layers of DESIGN.md honest.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const hostOnly = {
  paths: [{ name: 'vscode', message: 'Only src/vscode/, src/webview/ and src/extension.ts may import vscode: the core runs in plain Node.' }],
};

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
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Webview code runs in the browser: talk to the host through src/protocol/.' }],
        patterns: [{ group: ['../vscode/*', '../sources/*', '../analysis/*', '../agent/*', '../policy/*', '../remediation/*'], message: 'Webviews import only src/protocol/ and core types.' }],
      }],
    },
  },
);
