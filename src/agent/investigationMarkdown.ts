// An investigation as Markdown: the start of a postmortem. The timeline (deploys, onset, alerts,
// actions, resolution), the hypothesis and its evidence, suspect commits, the actions taken as the
// audit ledger recorded them, and what was checked. Host-free, so the panel's "Copy as Markdown", the
// export command and the CLI write the same text.
//
// Every string from an alert, a log line, a commit or a label is untrusted: it is escaped so that it
// renders as the same text and never as a link, an image, HTML or a heading. The only links are ones
// we built from configured URLs or that passed the http(s) check, written as autolinks.
import { formatLocation } from '../core/codeLocation';
import type { Alert, Evidence } from '../core/model';
import type { Investigation } from '../core/investigation';
import { formatSpan, formatRelative, formatTime, zoneName } from '../core/time';
import { formatReportedValue } from '../core/units';

/** An action as the audit ledger recorded it (remediation/ledgerEntries.ts ActionTaken has this shape). */
export interface RecordedAction {
  actionId: string;
  time: number;
  status: string;
  message?: string;
  entries: { time: number; title: string }[];
}

export interface MarkdownLink {
  label: string;
  url: string;
}

export interface MarkdownOptions {
  /** The alert as it is now (resolved, silenced); default the investigated one. */
  alert?: Alert;
  actions?: RecordedAction[];
  links?: MarkdownLink[];
  timeZone?: string;
  /** When the text was written; default Date.now(). */
  now?: number;
}

const maxEvidence = 30;
const maxCommits = 10;
const maxLines = 25;

/**
 * Escapes untrusted text for Markdown: it renders as itself. ASCII punctuation that can start markup is
 * backslash-escaped (CommonMark allows it for any punctuation); so are the ":" of "://" and "@", so
 * GFM's autolinker never sees a URL or an address; "www." loses its link; newlines and control characters become spaces.
 */
export function escapeMarkdown(text: string): string {
  return String(text)
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/[\\`*_{}[\]()#!|<>~@&^$]/g, (c) => `\\${c}`)
    .replace(/:\/\//g, '\\://')
    .replace(/\b(mailto|xmpp):/gi, '$1\\:')
    .replace(/\b(www)\./gi, '$1\\.')
    .replace(/^(\d+)\./, '$1\\.')
    .replace(/^([-+=])/, '\\$1')
    .trim();
}

/** Untrusted text as an inline code span (a template, a command): the fence is longer than any backtick run inside. */
export function codeSpan(text: string): string {
  const clean = String(text).replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  // CommonMark strips one space on each side: needed only when the text starts or ends with a backtick.
  const pad = /^[` ]|[` ]$/.test(clean) ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** Only http(s) URLs, written as an autolink with the characters that could end it percent-encoded. */
function autolink(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return `<${u.toString().replace(/[<>\s"`]/g, (c) => encodeURIComponent(c))}>`;
  } catch {
    return undefined;
  }
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

interface TimelineEvent {
  time: number;
  what: string;
}

function timeline(inv: Investigation, alert: Alert, actions: RecordedAction[]): TimelineEvent[] {
  const { bundle, hypothesis: h } = inv;
  const events: TimelineEvent[] = [];
  // One row per deploy, with the commits it shipped.
  const deploys = new Map<string, { ref: string; time: number; commits: string[] }>();
  for (const c of bundle.changes) {
    if (!c.deploy || c.deploy.time < bundle.window.start - 24 * 3600_000 || c.deploy.time > bundle.window.end) continue;
    const key = `${c.deploy.ref}@${c.deploy.time}`;
    const d = deploys.get(key) ?? { ref: c.deploy.ref, time: c.deploy.time, commits: [] };
    d.commits.push(`${codeSpan(c.sha.slice(0, 8))} ${escapeMarkdown(truncate(c.message.split('\n')[0], 80))}`);
    deploys.set(key, d);
  }
  for (const d of deploys.values()) {
    const shown = d.commits.slice(0, 6).join('; ');
    events.push({ time: d.time, what: `Deploy ${escapeMarkdown(d.ref)}: ${d.commits.length === 1 ? shown : `${d.commits.length} commits (${shown}${d.commits.length > 6 ? '; …' : ''})`}` });
  }
  if (h.onset !== undefined) events.push({ time: h.onset, what: '**Onset** (the signals first moved)' });
  const alerts = bundle.alerts?.length ? bundle.alerts : [bundle.alert];
  for (const a of alerts) events.push({ time: a.startsAt, what: `Alert ${escapeMarkdown(a.name)} started${a.service ? ` on ${escapeMarkdown(a.service)}` : ''} (${escapeMarkdown(a.severity)})` });
  for (const a of actions) for (const e of a.entries) events.push({ time: e.time, what: escapeMarkdown(e.title) });
  if (alert.state === 'resolved' && alert.endsAt !== undefined) events.push({ time: alert.endsAt, what: `Alert ${escapeMarkdown(alert.name)} resolved` });
  return events.filter((e) => Number.isFinite(e.time)).sort((a, b) => a.time - b.time);
}

function evidenceLine(e: Evidence, onset: number | undefined, tz: string | undefined): string {
  const when = e.time !== undefined ? ` (${formatTime(e.time, { timeZone: tz })}${onset !== undefined ? `, ${formatRelative(e.time, onset, 'the onset')}` : ''})` : '';
  return `- **${escapeMarkdown(e.id)}** ${escapeMarkdown(e.kind)}: ${escapeMarkdown(truncate(e.title, 300))}${when}. ${escapeMarkdown(truncate(e.why, 300))}`;
}

/** The investigation as Markdown, with the sections of a postmortem's first draft. */
export function investigationMarkdown(inv: Investigation, opts: MarkdownOptions = {}): string {
  const alert = opts.alert ?? inv.alert;
  const h = inv.hypothesis;
  const tz = opts.timeZone;
  const now = opts.now ?? Date.now();
  const at = (t: number) => formatTime(t, { timeZone: tz });
  const service = h.service ?? alert.service;
  const out: string[] = [];
  out.push(`# Incident: ${escapeMarkdown(alert.name)}${service ? ` on ${escapeMarkdown(service)}` : ''}`);
  out.push('');
  out.push(`_Exported from Incident Lens at ${at(now)}. Times are local (${zoneName(now, { timeZone: tz })})._`);
  out.push('');
  out.push('## Summary');
  out.push('');
  const value = formatReportedValue(alert.value, alert.rule?.unit);
  out.push(`- **Alert:** ${escapeMarkdown(alert.name)}, ${escapeMarkdown(alert.severity)}, ${escapeMarkdown(alert.state)}${alert.state === 'resolved' && alert.endsAt ? ` at ${at(alert.endsAt)}` : ''}; since ${at(alert.startsAt)}${value ? `; value ${escapeMarkdown(value)}` : ''}; source ${escapeMarkdown(alert.sourceName)}`);
  out.push(`- **Hypothesis:** ${escapeMarkdown(h.summary)}`);
  out.push(`- **Confidence:** ${Math.min(99, Math.round(h.confidence * 100))}%${h.abstained ? ' (below the threshold: no cause is named)' : ''}; cause: ${escapeMarkdown(h.causeKind)}${h.service ? `; service: ${escapeMarkdown(h.service)}` : ''}`);
  out.push(`- **Window read:** ${at(inv.bundle.window.start)} to ${at(inv.bundle.window.end)} (${formatSpan(inv.bundle.window.end - inv.bundle.window.start)})`);
  const related = (inv.bundle.alerts ?? []).filter((a) => a.id !== inv.alert.id);
  if (related.length) out.push(`- **Explains ${related.length + 1} alerts** that share this cause (listed below)`);
  out.push('');

  out.push('## Timeline');
  out.push('');
  const events = timeline(inv, alert, opts.actions ?? []);
  out.push('| time | relative to the onset | what |');
  out.push('|---|---|---|');
  for (const e of events) out.push(`| ${at(e.time)} | ${h.onset !== undefined ? formatRelative(e.time, h.onset, 'the onset') : ''} | ${e.what} |`);
  out.push('');

  out.push('## Hypothesis');
  out.push('');
  out.push(escapeMarkdown(h.summary));
  out.push('');
  if (h.location) out.push(`Offending lines: ${codeSpan(formatLocation(h.location))}`, '');
  if (h.alternatives.length) {
    out.push('Alternatives considered:', '');
    for (const a of h.alternatives.slice(0, 5)) out.push(`- ${escapeMarkdown(a.summary)} (${Math.round(a.confidence * 100)}%): ${escapeMarkdown(a.whyLower)}`);
    out.push('');
  }
  if (h.confirm.length) out.push('Would confirm:', '', ...h.confirm.slice(0, maxLines).map((c) => `- ${escapeMarkdown(c)}`), '');
  if (h.refute.length) out.push('Would refute:', '', ...h.refute.slice(0, maxLines).map((c) => `- ${escapeMarkdown(c)}`), '');

  out.push('## Evidence');
  out.push('');
  if (h.evidence.length === 0) out.push('No evidence was cited.');
  for (const e of h.evidence.slice(0, maxEvidence)) out.push(evidenceLine(e, h.onset, tz));
  out.push('');

  out.push('## Suspect commits');
  out.push('');
  if (h.suspectCommits.length === 0) out.push('No commit in the workspace stood out before the onset.');
  else {
    out.push('| commit | author | time | score | message |');
    out.push('|---|---|---|---|---|');
    for (const c of h.suspectCommits.slice(0, maxCommits)) {
      out.push(`| ${codeSpan(c.sha.slice(0, 8))} | ${escapeMarkdown(c.author)} | ${at(c.time)} | ${Math.round(c.score * 100)}% | ${escapeMarkdown(truncate(c.message.split('\n')[0], 120))} |`);
    }
  }
  out.push('');

  out.push('## Actions taken');
  out.push('');
  const actions = opts.actions ?? [];
  if (actions.length === 0) out.push('None recorded in the audit ledger.');
  for (const a of actions) {
    out.push(`- ${at(a.time)}: ${codeSpan(a.actionId)}: **${escapeMarkdown(a.status)}**${a.message ? `. ${escapeMarkdown(a.message)}` : ''}`);
    for (const e of a.entries.slice(0, maxLines)) out.push(`  - ${at(e.time)} ${escapeMarkdown(e.title)}`);
  }
  if (h.proposedActions.length) {
    const taken = new Set(actions.map((a) => a.actionId));
    const open = h.proposedActions.filter((p) => !taken.has(p.actionId));
    if (open.length) out.push('', 'Proposed, not taken:', '', ...open.map((p) => `- ${escapeMarkdown(p.title)}: ${escapeMarkdown(p.why)}`));
  }
  out.push('');

  if (related.length) {
    out.push('## Alerts explained');
    out.push('');
    out.push('| alert | service | severity | state | since |');
    out.push('|---|---|---|---|---|');
    for (const a of [inv.alert, ...related]) out.push(`| ${escapeMarkdown(a.name)} | ${escapeMarkdown(a.service ?? '')} | ${escapeMarkdown(a.severity)} | ${escapeMarkdown(a.state)} | ${at(a.startsAt)} |`);
    out.push('');
  }

  out.push('## What was checked');
  out.push('');
  out.push(`- ${inv.findings.counts.series} metric series, ${inv.findings.counts.logs} log lines, ${inv.findings.counts.spans} spans in ${inv.findings.counts.traces} traces, ${inv.findings.counts.changes} commits`);
  for (const c of h.checked.slice(0, maxLines)) out.push(`- ${escapeMarkdown(c)}`);
  for (const e of inv.errors.slice(0, 10)) out.push(`- ${escapeMarkdown(e.source)} (${escapeMarkdown(e.kind)}) did not answer: ${escapeMarkdown(truncate(e.message, 200))}`);
  out.push('');

  const links = (opts.links ?? []).map((l) => ({ label: l.label, url: autolink(l.url) })).filter((l): l is { label: string; url: string } => !!l.url);
  if (links.length) {
    out.push('## Links');
    out.push('');
    for (const l of links) out.push(`- ${escapeMarkdown(l.label)}: ${l.url}`);
    out.push('');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
