// The hypothesis, its evidence (each a link to its chart, pattern, span or commit), the suspect commits
// and the proposed actions with what became of them. Actions are asked for by index and id; the host
// decides what runs.
import { formatLocation } from '../../core/codeLocation';
import type { Evidence, SuspectCommit } from '../../core/model';
import type { IpcClient } from '../../protocol/ipc';
import { goToCodeCommand, markWrongCommand, openDiffCommand, runActionCommand, type InvestigationView } from '../../protocol/investigation';
import { formatRelative, formatTime } from '../../core/time';
import { button, h } from './dom';
import { card } from './sections';
import { keptOpen } from './state';

function when(t: number | undefined, onset: number | undefined): string {
  if (t === undefined) return '';
  return onset !== undefined ? ` (${formatRelative(t, onset, 'the onset')})` : ` (${formatTime(t)})`;
}

export function hypothesisSection(v: InvestigationView, ipc: IpcClient, focus: (e: Evidence) => void): HTMLElement {
  const hyp = v.hypothesis;
  if (!hyp) return h('section', null);
  // Never print 100%: a calibrated confidence is capped below certainty, and rounding should not hide that.
  const pct = Math.min(99, Math.round(hyp.confidence * 100));
  const fill = h('div', { class: `fill ${pct >= 70 ? 'high' : pct >= 40 ? 'mid' : 'low'}` });
  // Width through CSSOM: the CSP forbids inline style attributes, not style properties.
  fill.style.width = `${pct}%`;
  const targets = v.evidenceTargets;
  const details = (key: string, summary: string, body: HTMLElement, open = false) => keptOpen(h('details', null, h('summary', null, summary), body), key, open);
  return card('hypothesis', hyp.abstained ? 'No confident hypothesis' : 'Hypothesis', [
    h('p', { class: 'hypothesis-summary' }, hyp.summary),
    h('div', { class: 'confidence' },
      h('span', null, `Confidence ${pct}%`),
      h('div', { class: 'bar', role: 'meter', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': 'Confidence' }, fill),
      h('span', { class: 'muted' }, ` · cause: ${hyp.causeKind}${hyp.service ? ` · service: ${hyp.service}` : ''}${hyp.onset !== undefined ? ` · onset ${formatTime(hyp.onset)}` : ''}`)),
    h('h3', null, 'Evidence'),
    h('ul', { class: 'evidence' }, hyp.evidence.map((e) =>
      h('li', null,
        button(`[${e.id}] ${e.title}`, () => focus(e), { class: 'link evidence-link', title: targets[e.id] ? `Show this ${e.kind}` : `${e.kind} ${e.ref}`, 'data-evidence-id': e.id, 'data-target-kind': targets[e.id]?.kind }),
        h('span', { class: 'muted' }, `${when(e.time, hyp.onset)} — ${e.why}`)))),
    hyp.alternatives.length ? details('alternatives', `Alternatives considered (${hyp.alternatives.length})`, h('ul', null, hyp.alternatives.map((a) => h('li', null, `${a.summary} (${Math.round(a.confidence * 100)}%): ${a.whyLower}`)))) : null,
    hyp.confirm.length || hyp.refute.length
      ? h('div', { class: 'checks' },
          h('div', null, h('h3', null, 'Would confirm'), h('ul', null, hyp.confirm.map((c) => h('li', null, c)))),
          h('div', null, h('h3', null, 'Would refute'), h('ul', null, hyp.refute.map((c) => h('li', null, c)))))
      : null,
    details('checked', 'What was checked', h('ul', null, hyp.checked.map((c) => h('li', null, c))), hyp.abstained),
    h('div', { class: 'row' }, button('Mark hypothesis wrong', () => ipc.send(markWrongCommand, {}), { class: 'secondary' })),
  ]);
}

function commitRow(c: SuspectCommit, isTop: boolean, onset: number | undefined, ipc: IpcClient): HTMLElement {
  return h(
    'tr',
    { id: `commit-${c.sha.slice(0, 12)}`, class: isTop ? 'top' : undefined, 'data-evidence': c.sha, 'data-sha': c.sha },
    h('td', { class: 'mono' }, c.sha.slice(0, 8)),
    h('td', null, c.author),
    h('td', { title: formatTime(c.time) }, formatTime(c.time), onset !== undefined ? h('div', { class: 'muted' }, formatRelative(c.time, onset, 'the onset')) : null),
    h('td', null, c.message.split('\n')[0]),
    h('td', null, `${Math.round(c.score * 100)}%`),
    h('td', { class: 'files' }, c.files.slice(0, 4).join(', '), c.files.length > 4 ? ` +${c.files.length - 4}` : ''),
    h('td', { class: 'buttons' },
      button('Open diff', () => ipc.send(openDiffCommand, { sha: c.sha, path: c.location?.path }), { class: 'secondary', 'data-action': 'open-diff' }),
      c.location ? button('Go to code', () => ipc.send(goToCodeCommand, { sha: c.sha }), { 'data-action': 'go-to-code', title: formatLocation(c.location) }) : null),
  );
}

export function commitsSection(v: InvestigationView, ipc: IpcClient): HTMLElement {
  const commits = v.hypothesis?.suspectCommits ?? [];
  const onset = v.hypothesis?.onset;
  return card('commits', 'Suspect commits', [
    commits.length === 0
      ? h('p', { class: 'muted' }, 'No commit in the workspace stands out before the onset.')
      : h('table', { class: 'commits' },
          h('thead', null, h('tr', null, ['sha', 'author', 'time', 'message', 'score', 'files', ''].map((c) => h('th', null, c)))),
          h('tbody', null, commits.slice(0, 10).map((c, i) => commitRow(c, i === 0, onset, ipc)))),
    v.hypothesis?.location
      ? h('p', { class: 'location' }, 'Offending lines: ', h('span', { class: 'mono' }, formatLocation(v.hypothesis.location)))
      : null,
  ]);
}

export function actionsSection(v: InvestigationView, ipc: IpcClient): HTMLElement {
  return card('actions', 'Proposed actions', [
    v.actionsNote ? h('p', { class: 'warn-box' }, v.actionsNote) : null,
    v.actions.length === 0
      ? h('p', { class: 'muted' }, 'No action proposed.')
      : h('ul', { class: 'actions' }, v.actions.map((a) =>
          h('li', { class: `action${a.state ? ` action-${a.state}` : ''}`, 'data-action-state': a.state ?? 'offered', 'data-action-row': a.actionId },
            a.state === 'done'
              ? h('span', { class: `performed ${a.outcomeOk ? 'ok' : 'not-ok'}`, 'data-performed': a.actionId }, `${a.outcomeOk ? '✓' : '✗'} ${a.title}`)
              : a.state === 'running'
                ? h('span', { class: 'performed running', 'aria-busy': 'true' }, `… ${a.title}`)
                : button(a.title, () => ipc.send(runActionCommand, { index: a.index, actionId: a.actionId }), { disabled: !a.enabled, title: a.disabledReason ?? a.why, 'data-action-id': a.actionId }),
            h('span', { class: 'muted' }, ` ${a.why}`),
            a.outcome ? h('div', { class: `outcome${a.outcomeOk === false ? ' bad' : ''}`, role: 'status' }, a.outcome) : null,
            !a.enabled && a.disabledReason && a.disabledReason !== v.actionsNote && a.state !== 'done' && a.state !== 'running' ? h('div', { class: 'muted' }, a.disabledReason) : null))),
  ]);
}
