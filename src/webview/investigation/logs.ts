// Log patterns before and after the onset, new ones flagged, filtered by level (kept in UI state).
import type { LogPatternView, InvestigationView } from '../../protocol/investigation';
import { formatTime } from '../../core/time';
import { clear, h } from './dom';
import { card } from './sections';
import { keptOpen, saveUi, uiState } from './state';

const levelRank: Record<string, number> = { fatal: 5, error: 4, warn: 3, info: 2, debug: 1, trace: 0, unknown: 2 };

function patternRow(p: LogPatternView): HTMLElement {
  const samples = keptOpen(h('details', null, h('summary', { class: 'mono template' }, p.template), h('ul', { class: 'samples' }, p.samples.map((s) => h('li', { class: 'mono' }, s)))), `pattern:${p.id}`);
  return h(
    'tr',
    { class: `level-${p.level}${p.isNew ? ' new' : ''}`, 'data-evidence': [p.id, ...p.evidenceIds].join(' '), 'data-pattern-id': p.id, 'data-level': p.level },
    h('td', null, p.isNew ? h('span', { class: 'badge new' }, 'NEW') : null, h('span', { class: 'badge level' }, p.level)),
    h('td', { class: 'counts' }, `${p.countBefore} → ${p.countAfter}`),
    h('td', null, samples),
    h('td', null, p.service ?? ''),
  );
}

/** Shows every level again, so a pattern an evidence link points at is in the table. */
export function showAllLevels(): void {
  const select = document.querySelector<HTMLSelectElement>('#logs select');
  if (!select || select.value === 'all') return;
  select.value = 'all';
  select.dispatchEvent(new Event('change'));
}

export function logsSection(v: InvestigationView, onset: number | undefined): HTMLElement {
  const levels = ['all', 'error', 'warn', 'info', 'debug'];
  const current = uiState().logLevel ?? 'all';
  const select = h('select', { 'aria-label': 'Log level' }, levels.map((l) => h('option', { value: l, selected: current === l }, l)));
  const body = h('tbody');
  const fill = () => {
    clear(body);
    const lv = uiState().logLevel ?? 'all';
    const rows = v.logPatterns.filter((p) => lv === 'all' || (levelRank[p.level] ?? 2) >= (levelRank[lv] ?? 0));
    if (rows.length === 0) body.append(h('tr', null, h('td', { colspan: 4, class: 'muted' }, 'No log pattern at this level.')));
    for (const p of rows) body.append(patternRow(p));
  };
  select.addEventListener('change', () => {
    saveUi({ logLevel: select.value });
    fill();
  });
  fill();
  return card('logs', 'Log patterns', [
    h('p', { class: 'muted' }, onset !== undefined ? `Lines before → after the onset (${formatTime(onset)}).` : 'Lines before → after the alert.'),
    h('table', { class: 'patterns' }, h('thead', null, h('tr', null, h('th', null, ''), h('th', null, 'count'), h('th', null, 'template'), h('th', null, 'service'))), body),
  ], [h('label', null, 'Level ', select)]);
}
