#!/usr/bin/env bash
# Installs the offline VS Code test harness (../shared/VSCODE-HARNESS.md): Debian packages, VS Code's
# server and web workbench from the code-server npm package, and its native modules rebuilt here.
# Idempotent: an existing complete install is reused (it lives outside the clone, so CI's fresh clones
# share it). Override the location with INCIDENT_LENS_HARNESS_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
version=4.100.3
dir="${INCIDENT_LENS_HARNESS_DIR:-$HOME/.cache/incident-lens/code-server-$version}"
marker="$dir/.complete"

if [ -n "${VSCODE_EXECUTABLE:-}" ]; then
  echo "harness: VSCODE_EXECUTABLE is set; the tests use that VS Code, no harness needed"
  exit 0
fi

need_apt=()
for pkg in chromium ripgrep curl libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev git prometheus prometheus-alertmanager prometheus-node-exporter stress-ng postgresql openssl; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ] && ! command -v apt-get >/dev/null; then
  echo "harness: missing ${need_apt[*]}, and this machine has no apt-get: install them by hand" >&2
elif [ ${#need_apt[@]} -gt 0 ]; then
  echo "harness: installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ -f "$marker" ] && [ -f "$dir/node_modules/code-server/lib/vscode/out/server-main.js" ]; then
  echo "harness: reusing VS Code server at $dir"
  exit 0
fi

echo "harness: installing code-server $version (VS Code 1.100.3) into $dir"
mkdir -p "$dir"
cp "$here/test/harness/deps/package.json" "$here/test/harness/deps/package-lock.json" "$dir/" 2>/dev/null || cp "$here/test/harness/deps/package.json" "$dir/"
cd "$dir"
# code-server's own postinstall downloads ripgrep from the internet, which these machines cannot reach.
if [ -f package-lock.json ]; then npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; else npm install --ignore-scripts --no-audit --no-fund --loglevel=error; fi
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
echo "harness: rebuilding native modules (about a minute on 2 cores)"
npm_config_yes=true npm rebuild --loglevel=error >/dev/null
ln -sfn node_modules node_modules.asar
(cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error)
touch "$marker"
echo "harness: ready at $dir"
