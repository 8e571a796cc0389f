// Right-sizing and staged changes: refresh the Right-Sizing view, scale a workload down in stages, change
// a request in stages. The targets come from the view's items (data computed by the analysis), or from
// a quick pick of the last right-sizing result; the staged run itself is the remediation controller's.
import * as vscode from 'vscode';
import type { Services } from '../services';

interface StagedTarget {
  namespace?: string;
  workload: string;
  container?: string;
  resource?: 'replicas' | 'cpu' | 'memory';
  from: number;
  to: number;
}

function isTarget(v: unknown): v is StagedTarget {
  const t = v as StagedTarget;
  return !!t && typeof t.workload === 'string' && Number.isFinite(t.from) && Number.isFinite(t.to);
}

/** A tree item of the view carries its recommendation; a command-palette call picks one. */
function fromItem(v: unknown): StagedTarget | undefined {
  if (isTarget(v)) return v;
  const rec = (v as { rec?: { namespace: string; workload: { name: string }; replicas?: { now: number; recommended: number } } })?.rec;
  if (rec?.replicas) return { namespace: rec.namespace, workload: rec.workload.name, from: rec.replicas.now, to: rec.replicas.recommended };
  return undefined;
}

export async function refreshRightsizing(s: Services): Promise<void> {
  if (!s.rightsizing) return;
  await vscode.window.withProgress({ location: { viewId: 'incidentLens.rightsizing' }, title: 'Right-sizing' }, () => s.rightsizing!.refresh());
}

export async function scaleDownInStages(s: Services, arg?: unknown): Promise<unknown> {
  let target = fromItem(arg);
  if (!target) {
    const recs = (s.rightsizing?.last?.recommendations ?? []).filter((r) => r.replicas);
    if (!recs.length) {
      void vscode.window.showInformationMessage('No workload to scale down: refresh the Right-Sizing view first (it recommends fewer replicas for workloads without an HPA).');
      return undefined;
    }
    const picked = await s.prompter.pick(recs.map((r) => ({ label: `${r.namespace}/${r.workload.name}`, detail: `${r.replicas!.now} → ${r.replicas!.recommended} replicas`, value: r })), { title: 'Scale down which workload, in stages?' });
    if (!picked) return undefined;
    target = { namespace: picked.namespace, workload: picked.workload.name, from: picked.replicas!.now, to: picked.replicas!.recommended };
  }
  return s.remediation.runStaged({ ...target, resource: 'replicas' });
}

export async function changeRequestInStages(s: Services, arg?: unknown): Promise<unknown> {
  if (!isTarget(arg) || !arg.container || (arg.resource !== 'cpu' && arg.resource !== 'memory')) {
    void vscode.window.showInformationMessage('Choose a request change from the Right-Sizing view.');
    return undefined;
  }
  return s.remediation.runStaged(arg);
}
