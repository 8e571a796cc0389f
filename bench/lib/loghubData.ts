// LogHub-2k data: loading a system's structured CSV and raw lines, and the grouping accuracy of
// the LogHub/Drain evaluator.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface LoghubSystem {
  name: string;
  /** The `Content` column: the message, its header split off by LogHub's per-system format regex. */
  contents: string[];
  eventIds: string[];
  templates: string[];
  /** The raw `<Sys>_2k.log` lines, header and all; empty when they do not pair one to one with the CSV rows. */
  rawLines: string[];
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else inQuotes = false;
      } else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

/** Systems present under dir: each a folder `<Sys>` holding `<Sys>_2k.log_structured.csv`. */
export function loghubSystemNames(dir: string): string[] {
  return fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, `${d}_2k.log_structured.csv`))).sort();
}

/** System `name` under the data folder `root` (`root/<name>/<name>_2k.log_structured.csv`). */
export function loadLoghubSystem(root: string, name: string): LoghubSystem {
  const dir = path.join(root, name);
  const rows = parseCsv(fs.readFileSync(path.join(dir, `${name}_2k.log_structured.csv`), 'utf8'));
  const header = rows[0] ?? [];
  const contentCol = header.indexOf('Content');
  const eventCol = header.indexOf('EventId');
  const templateCol = header.indexOf('EventTemplate');
  if (contentCol < 0 || eventCol < 0) throw new Error(`${name}: structured CSV lacks Content/EventId columns`);
  const body = rows.slice(1).filter((r) => r.length > eventCol);
  const rawPath = path.join(dir, `${name}_2k.log`);
  const rawLines = fs.existsSync(rawPath) ? fs.readFileSync(rawPath, 'utf8').split(/\r?\n/).filter((l) => l.length > 0) : [];
  return {
    name,
    contents: body.map((r) => r[contentCol]),
    eventIds: body.map((r) => r[eventCol]),
    templates: body.map((r) => r[templateCol] ?? ''),
    rawLines: rawLines.length === body.length ? rawLines : [],
  };
}

/**
 * Grouping accuracy as in the LogHub/Drain evaluator: a predicted cluster's lines count as correct
 * only when they all share one ground-truth event and that event has no other lines.
 */
export function groupingAccuracy(predicted: readonly string[], truth: readonly string[]): number {
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  const clusters = new Map<string, number[]>();
  for (let i = 0; i < predicted.length; i++) {
    const members = clusters.get(predicted[i]);
    if (members) members.push(i); else clusters.set(predicted[i], [i]);
  }
  let correct = 0;
  for (const members of clusters.values()) {
    const event = truth[members[0]];
    if (members.every((i) => truth[i] === event) && truthSize.get(event) === members.length) correct += members.length;
  }
  return truth.length === 0 ? 0 : correct / truth.length;
}
