// The panel's header: the alert as it is now (state, severity, service, since when, its value with its
// unit), its runbook up front, the links out (the expression in Prometheus, the dashboard, the logs and
// the trace in their own UIs), its history, the incident it belongs to, the time-range picker and the
// Markdown export. Links and alerts are asked for by id: the host opens them.
import type { IpcClient } from '../../protocol/ipc';
import { copyMarkdownCommand, exportMarkdownCommand, openAlertCommand, openLinkCommand, setRangeCommand, type InvestigationView, type RangePreset } from '../../protocol/investigation';
import { formatAgo, formatSpan, formatTime } from '../../core/time';
import { formatReportedValue, formatValue } from '../../core/units';
import { button, h } from './dom';

const presets: { preset: RangePreset; label: string; title: string }[] = [
  { preset: 'alert', label: 'Alert window', title: 'From an hour before the alert to now (at most 15 min after it)' },
  { preset: '15m', label: '15 m', title: 'The last 15 minutes' },
  { preset: '1h', label: '1 h', title: 'The last hour' },
  { preset: '6h', label: '6 h', title: 'The last 6 hours' },
  { preset: 'custom', label: 'Custom…', title: 'A range of your own' },
];

/** "2024-05-01T14:03" in local time, what a datetime-local input holds. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function rangePicker(v: InvestigationView, ipc: IpcClient, busy: boolean): HTMLElement {
  const custom = h('form', { class: 'custom-range', 'aria-label': 'Custom time range' });
  const from = h('input', { type: 'datetime-local', 'aria-label': 'From', value: localInput(v.range.start) });
  const to = h('input', { type: 'datetime-local', 'aria-label': 'To', value: localInput(v.range.end) });
  const error = h('span', { class: 'range-error', role: 'alert' });
  custom.append(h('label', null, 'From ', from), h('label', null, ' to ', to), h('button', { type: 'submit' }, 'Apply'), error);
  custom.hidden = v.range.preset !== 'custom';
  custom.addEventListener('submit', (e) => {
    e.preventDefault();
    const start = new Date(from.value).getTime();
    const end = new Date(to.value).getTime();
    if (!Number.isFinite(start) || !Number.isFinite(end)) error.textContent = 'Enter both times.';
    else if (end <= start) error.textContent = 'The range must end after it starts.';
    else {
      error.textContent = '';
      ipc.send(setRangeCommand, { preset: 'custom', start, end });
    }
  });
  const buttons = presets.map((p) =>
    button(p.label, () => {
      if (p.preset === 'custom') {
        custom.hidden = !custom.hidden;
        return;
      }
      ipc.send(setRangeCommand, { preset: p.preset });
    }, { class: `range-button${v.range.preset === p.preset ? ' active' : ''}`, 'aria-pressed': String(v.range.preset === p.preset), title: p.title, 'data-range': p.preset, disabled: busy && p.preset !== 'custom' }),
  );
  return h(
    'div',
    { class: 'range-picker', role: 'group', 'aria-label': 'Time range' },
    h('span', { class: 'muted' }, 'Range '),
    buttons,
    h('span', { class: 'range-text muted', 'data-range-start': v.range.start, 'data-range-end': v.range.end }, ` ${formatTime(v.range.start)} – ${formatTime(v.range.end)} (${formatSpan(v.range.end - v.range.start)})`),
    custom,
  );
}

function links(v: InvestigationView, ipc: IpcClient): HTMLElement | null {
  if (!v.links.length) return null;
  const runbooks = v.links.filter((l) => l.kind === 'runbook');
  const others = v.links.filter((l) => l.kind !== 'runbook');
  return h(
    'div',
    { class: 'links' },
    runbooks.map((l) => button(`📖 ${l.label}`, () => ipc.send(openLinkCommand, { id: l.id }), { class: 'runbook', title: l.detail ?? l.label, 'data-link-kind': l.kind })),
    others.map((l) => button(l.label, () => ipc.send(openLinkCommand, { id: l.id }), { class: 'secondary link-out', title: l.detail ?? l.label, 'data-link-kind': l.kind })),
  );
}

function incident(v: InvestigationView, ipc: IpcClient): HTMLElement | null {
  const inc = v.incident;
  if (!inc) return null;
  return h(
    'div',
    { class: 'incident', id: 'incident' },
    h('strong', null, 'One incident: '),
    inc.title,
    h('span', { class: 'muted' }, ' — this investigation explains them together.'),
    h('ul', { class: 'incident-alerts' }, inc.alerts.map((a) =>
      h('li', { class: a.current ? 'current' : undefined },
        h('span', { class: `state state-${a.state}` }, a.state),
        ' ',
        a.current ? h('strong', null, a.name) : button(a.name, () => ipc.send(openAlertCommand, { key: a.key }), { class: 'link', title: `Open the investigation of ${a.name}` }),
        h('span', { class: 'muted' }, ` ${a.service ?? ''} · ${a.severity} · since ${formatTime(a.startsAt)}`)))),
  );
}

export function header(v: InvestigationView, ipc: IpcClient, busy: boolean): HTMLElement {
  const a = v.alert;
  const value = formatReportedValue(a.value, a.rule?.unit);
  const now = Date.now();
  return h(
    'header',
    { class: 'header', 'data-alert-state': a.state },
    h('h1', null, h('span', { class: `state state-${a.state}`, id: 'alert-state' }, a.state), ' ', a.name, a.service ? h('span', { class: 'muted' }, ` · ${a.service}`) : null),
    h('div', { class: 'meta' },
      h('span', null, `severity ${a.severity}`),
      h('span', { title: formatTime(a.startsAt) }, `since ${formatTime(a.startsAt)} (${formatAgo(a.startsAt, now)})`),
      a.state === 'resolved' && a.endsAt ? h('span', { class: 'resolved-at' }, `resolved ${formatTime(a.endsAt)} (${formatAgo(a.endsAt, now)})`) : null,
      value ? h('span', null, `value ${value}`) : null,
      a.rule?.threshold ? h('span', null, `fires when ${a.rule.threshold.op} ${formatValue(a.rule.threshold.value, a.rule.unit)}${a.rule.forMs ? ` for ${formatSpan(a.rule.forMs)}` : ''}`) : null,
      h('span', null, `source ${a.sourceName}`),
      v.history ? h('span', { class: 'history' }, v.history) : null,
    ),
    a.annotations.summary ? h('p', { class: 'summary-annotation' }, a.annotations.summary) : null,
    links(v, ipc),
    incident(v, ipc),
    h('div', { class: 'toolbar' },
      rangePicker(v, ipc, busy),
      h('div', { class: 'export' },
        button('Copy as Markdown', () => ipc.send(copyMarkdownCommand, {}), { class: 'secondary', 'data-action': 'copy-markdown', disabled: v.phase !== 'ready' }),
        button('Export…', () => ipc.send(exportMarkdownCommand, {}), { class: 'secondary', 'data-action': 'export-markdown', disabled: v.phase !== 'ready' }))),
  );
}
