// The workspace settings `npm start` writes for the demo lab: the lab's own Prometheus and Alertmanager
// as Incident Lens sources, so the tree shows their alerts and investigations read their metrics.
// Other settings and sources in the file are kept; only entries of the names below are replaced.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const LAB_SOURCE_NAMES = ['lab-prometheus', 'lab-alertmanager'];

/**
 * Writes (or updates) <workspace>/.vscode/settings.json. With no Prometheus port the lab's entries are
 * removed (a stale port would show as a broken source). A file that is not plain JSON (comments) is
 * left alone and reported, rather than rewritten and lost.
 * @returns {{ file: string, written: boolean, reason?: string }}
 */
function writeLabSourceSettings(workspaceDir, ports) {
  const dir = path.join(workspaceDir, '.vscode');
  const file = path.join(dir, 'settings.json');
  let settings = {};
  if (fs.existsSync(file)) {
    try {
      settings = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      return { file, written: false, reason: `${file} is not plain JSON (${err.message}); add the lab's sources by hand` };
    }
    if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return { file, written: false, reason: `${file} does not hold a settings object` };
  }
  const existing = Array.isArray(settings['incidentLens.sources']) ? settings['incidentLens.sources'] : [];
  const others = existing.filter((s) => !(s && LAB_SOURCE_NAMES.includes(s.name)));
  const lab = [];
  if (ports && ports.prometheus) lab.push({ name: 'lab-prometheus', kind: 'prometheus', url: `http://127.0.0.1:${ports.prometheus}` });
  if (ports && ports.alertmanager) lab.push({ name: 'lab-alertmanager', kind: 'alertmanager', url: `http://127.0.0.1:${ports.alertmanager}` });
  settings['incidentLens.sources'] = [...others, ...lab];
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
  // The lab's workspace is a git repository: keep its status clean of this generated file.
  const exclude = path.join(workspaceDir, '.git', 'info', 'exclude');
  if (fs.existsSync(path.dirname(exclude))) {
    const text = fs.existsSync(exclude) ? fs.readFileSync(exclude, 'utf8') : '';
    if (!text.split('\n').includes('/.vscode/settings.json')) fs.appendFileSync(exclude, `${text && !text.endsWith('\n') ? '\n' : ''}/.vscode/settings.json\n`);
  }
  return { file, written: true };
}

module.exports = { writeLabSourceSettings, LAB_SOURCE_NAMES };
