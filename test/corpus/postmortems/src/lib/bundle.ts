// What a postmortem case is, and how its bundle is finished and written: the truth comes from the
// committed truth file (written before the builder), never from the builder itself.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateBundle, type IncidentBundle } from '../../../../../src/core/bundle';
import type { IncidentTruth } from '../../../../../src/eval/truth';
import type { SeededRandom } from './random';

export const CORPUS_DIR = path.resolve(__dirname, '..', '..');
export const TRUTH_DIR = path.join(CORPUS_DIR, 'truth');
/** A bundle above this is too big to be a bounded export of one incident. */
export const MAX_BUNDLE_BYTES = 1_500_000;

export type BundleDraft = Omit<IncidentBundle, 'truth' | 'version'>;

export interface PostmortemCase {
  slug: string;
  title: string;
  source: { url: string; publisher: string; date: string };
  /** What the public report says happened, in our words. */
  follows: string;
  /** What this bundle changes to fit one bundle (names, timing, what is observed). */
  changed: string;
  /** The ways this case is hard for a diagnosis, each a sentence. */
  traps: string[];
  /** Why the truth's cause kind was chosen when the kind list does not fit directly. */
  kindNote?: string;
  build(rng: SeededRandom): BundleDraft;
}

export function readTruth(slug: string): IncidentTruth {
  const file = path.join(TRUTH_DIR, `${slug}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as IncidentTruth;
}

export function bundlePath(slug: string): string {
  return path.join(CORPUS_DIR, `${slug}.json`);
}

/** Sorts records, attaches the committed truth and refuses a draft that breaks the format or its window. */
export function finishBundle(c: PostmortemCase, draft: BundleDraft): IncidentBundle {
  const { start, end } = draft.window;
  const outside: string[] = [];
  for (const m of draft.metrics) if (m.timestamps.some((t) => t < start || t > end)) outside.push(`metric ${m.id}`);
  for (const l of draft.logs) if (l.time < start || l.time > end) outside.push(`log at ${l.time}`);
  for (const s of draft.spans) if (s.startTime < start || s.endTime > end) outside.push(`span ${s.name} at ${s.startTime}`);
  if (outside.length) throw new Error(`${c.slug}: data outside the window: ${outside.slice(0, 5).join('; ')}`);
  const bundle: IncidentBundle = {
    version: 1,
    alert: draft.alert,
    ...(draft.alerts ? { alerts: draft.alerts } : {}),
    window: draft.window,
    metrics: draft.metrics,
    logs: [...draft.logs].sort((a, b) => a.time - b.time),
    spans: [...draft.spans].sort((a, b) => a.startTime - b.startTime),
    changes: draft.changes,
    ...(draft.serviceGraph ? { serviceGraph: draft.serviceGraph } : {}),
    ...(draft.files ? { files: draft.files } : {}),
    truth: readTruth(c.slug),
  };
  validateBundle(JSON.parse(JSON.stringify(bundle)));
  return bundle;
}

export function writeBundle(c: PostmortemCase, bundle: IncidentBundle): number {
  const text = `${JSON.stringify(bundle)}\n`;
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_BUNDLE_BYTES) throw new Error(`${c.slug}: bundle is ${bytes} bytes, over ${MAX_BUNDLE_BYTES}`);
  fs.writeFileSync(bundlePath(c.slug), text);
  return bytes;
}
