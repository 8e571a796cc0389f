// The tools over a saved bundle (the command line's `investigate --agent`, the agent benchmark, tests):
// the bundle's data behind the source interfaces, its files as the workspace, its recorded hunks as
// the diff, and the investigation diagnosed from it once.
import type { IncidentBundle } from '../../core/bundle';
import type { Investigation } from '../../core/investigation';
import { BundleSource } from '../../sources/bundleSource';
import { diagnose, type DiagnoseOptions } from '../diagnose';
import { bundleFiles } from './workspace';
import { ToolInputError, type ToolContext } from './types';

/** The bundle diagnosed once, as an Investigation (the truth, if any, is never read). */
export function investigateBundle(bundle: IncidentBundle, opts: DiagnoseOptions = {}): Investigation {
  const { truth: _truth, ...withoutTruth } = bundle;
  const started = Date.now();
  const { findings, hypothesis } = diagnose(withoutTruth, opts);
  return { alert: bundle.alert, bundle: withoutTruth, findings, hypothesis, errors: [], startedAt: started, finishedAt: Date.now() };
}

/** A commit's recorded files and hunks, with the hunks' lines from the bundle's copy of each file. */
export function bundleDiff(bundle: IncidentBundle, sha: string, path?: string): string {
  const c = bundle.changes.find((x) => x.sha.toLowerCase().startsWith(sha.toLowerCase()));
  if (!c) throw new ToolInputError(`no commit ${sha} in the bundle; list_changes shows the commits`);
  const out = [`commit ${c.sha}`, `Author: ${c.author}`, `Date: ${new Date(c.time).toISOString()}`, '', c.message, ''];
  for (const f of c.files.filter((x) => !path || x.path === path)) {
    out.push(`${f.status} ${f.path} (+${f.additions} -${f.deletions})`);
    const text = bundle.files?.[f.path]?.split('\n');
    for (const h of f.hunks ?? []) {
      out.push(`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`);
      if (text) for (let i = h.newStart; i < h.newStart + h.newLines && i <= text.length; i++) out.push(`+${text[i - 1]}`);
    }
  }
  out.push('', '(a saved bundle records which lines a commit changed and the new version of its files, not the removed lines)');
  return out.join('\n');
}

export interface BundleToolOptions {
  actionIds: string[];
  propose?: ToolContext['propose'];
  now?: number;
}

export function bundleToolContext(bundle: IncidentBundle, inv: Investigation, opts: BundleToolOptions): ToolContext {
  const { truth: _truth, ...data } = bundle;
  const source = new BundleSource(data);
  return {
    roles: {
      alerts: [source],
      metrics: [source],
      logs: [source],
      traces: [source],
      changes: source,
      diff: async (sha, path) => bundleDiff(data, sha, path),
      workspace: bundleFiles(data.files),
    },
    investigation: async (alertId) => (!alertId || alertId === inv.alert.id ? inv : undefined),
    actionIds: () => opts.actionIds,
    ...(opts.propose ? { propose: opts.propose } : {}),
    defaultWindow: () => data.window,
    // "Now" in a saved bundle is its end: relative times ("-30m") read back from there.
    now: () => opts.now ?? data.window.end,
  };
}
