// Two kinds of bundle: the extension (Node target, `vscode` external) and one per webview (web target).
'use strict';
const path = require('node:path');
const fs = require('node:fs');

/** Emits static files next to the webview bundle (uPlot's stylesheet and ours). */
class EmitFilesPlugin {
  constructor(files) { this.files = files; }
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('EmitFilesPlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'EmitFilesPlugin', stage: compiler.webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        for (const [name, from] of Object.entries(this.files)) {
          compilation.fileDependencies.add(from);
          compilation.emitAsset(name, new compiler.webpack.sources.RawSource(fs.readFileSync(from)));
        }
      });
    });
  }
}

const tsRule = { test: /\.ts$/, exclude: /node_modules/, use: [{ loader: 'ts-loader', options: { transpileOnly: true, compilerOptions: { module: 'es2020' } } }] };

/** @type {import('webpack').Configuration} */
const extension = {
  name: 'extension',
  target: 'node',
  entry: { extension: './src/extension.ts' },
  // ES modules for webpack (tsc emits CommonJS for Node tests), so import() becomes a chunk.
  // Lazily imported engines (investigation, remediation, sources) become chunks beside extension.js.
  output: { path: path.resolve(__dirname, 'dist'), filename: '[name].js', chunkFilename: 'chunk-[name].js', libraryTarget: 'commonjs2', clean: { keep: /webview/ } },
  externals: { vscode: 'commonjs vscode' },
  resolve: { extensions: ['.ts', '.js'] },
  module: { rules: [tsRule] },
  devtool: 'nosources-source-map',
  performance: { hints: false },
  infrastructureLogging: { level: 'warn' },
};

/** @type {import('webpack').Configuration} */
const investigationWebview = {
  name: 'webview-investigation',
  target: 'web',
  entry: { investigation: './src/webview/investigation/main.ts' },
  output: { path: path.resolve(__dirname, 'dist', 'webview'), filename: '[name].js', clean: true },
  resolve: { extensions: ['.ts', '.js'] },
  module: { rules: [tsRule] },
  // No eval-based source maps: the panel's CSP forbids eval.
  devtool: false,
  performance: { hints: false },
  plugins: [new EmitFilesPlugin({
    'uPlot.min.css': require.resolve('uplot/dist/uPlot.min.css'),
    'investigation.css': path.resolve(__dirname, 'src/webview/investigation/investigation.css'),
  })],
};

/** @type {import('webpack').Configuration} */
const modelWebview = {
  ...investigationWebview,
  name: 'webview-model',
  entry: { model: './src/webview/model/main.ts' },
  // Its own folder: the investigation bundle cleans dist/webview.
  output: { path: path.resolve(__dirname, 'dist', 'model-webview'), filename: '[name].js', clean: true },
  plugins: [new EmitFilesPlugin({
    'uPlot.min.css': require.resolve('uplot/dist/uPlot.min.css'),
    'investigation.css': path.resolve(__dirname, 'src/webview/investigation/investigation.css'),
    'model.css': path.resolve(__dirname, 'src/webview/model/model.css'),
  })],
};

module.exports = [extension, investigationWebview, modelWebview];
