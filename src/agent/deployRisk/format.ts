// A deployment-risk assessment as a person reads it in a terminal. Commit subjects, alert names and
// file paths come from the repository and the backends: control characters are shown, not obeyed.
import type { DeploymentRiskAssessment, RecommendationAction } from '../../core/deployRisk';

function clean(text: string | undefined, max = 300): string {
  if (!text) return '';
  const s = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/\n/g, ' ');
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

function iso(t: number): string {
  return new Date(t).toISOString().replace(/:\d\d\.\d{3}Z$/, 'Z');
}

export const recommendationLabel: Record<RecommendationAction, string> = {
  'deploy-now': 'deploy now',
  'deploy-in-window': 'deploy in a window',
  delay: 'delay',
};

export function formatAssessment(a: DeploymentRiskAssessment): string {
  const lines: string[] = [];
  lines.push(`DEPLOYMENT RISK: ${a.level} (${(a.score * 100).toFixed(0)}%)`);
  lines.push(`  target ${clean(a.target.rev, 80)} ${a.target.sha.slice(0, 12)}   deployed ${a.base.sha ? `${a.base.sha.slice(0, 12)} (${clean(a.base.label, 120)})` : clean(a.base.label, 120)}`);
  if (a.services.length) lines.push(`  services ${a.services.map((s) => clean(s, 60)).join(', ')}; ${a.files.length} file${a.files.length === 1 ? '' : 's'}`);
  const r = a.recommendation;
  lines.push('', `RECOMMENDATION: ${recommendationLabel[r.action]}`, `  ${clean(r.reason, 600)}`);
  if (r.window) lines.push(`  window ${iso(r.window.start)} to ${iso(r.window.end)}: ${clean(r.window.why, 200)}`);
  lines.push('  (advice only: nothing is blocked; a person decides)');
  lines.push('', 'FACTORS (weight, value)');
  for (const f of a.factors) {
    const head = f.value !== undefined ? `${f.weight ? `${Math.round(f.weight * 100)}%`.padStart(4) : 'gate'}  ${f.value.toFixed(2)}` : '   -  n/a ';
    lines.push(`  ${head}  ${f.title}: ${clean(f.value !== undefined ? f.summary : `not measured (${f.notMeasured ?? 'no data'})`, 400)}`);
    for (const e of f.evidence.slice(0, 6)) lines.push(`              - ${clean(e.text, 400)}`);
  }
  if (a.commits.length) {
    lines.push('', 'COMMITS (defect probability, percentile among this repository\'s commits)');
    for (const c of a.commits) lines.push(`  ${c.sha.slice(0, 12)}  ${(c.risk * 100).toFixed(0).padStart(3)}%  p${(c.percentile * 100).toFixed(0).padStart(2)}  ${clean(c.subject, 100)}  (${clean(c.author, 40)})`);
  }
  if (a.model) lines.push('', 'MODEL', `  ${clean(a.model.design, 200)}`, `  ${clean(a.model.provenance, 300)}${a.model.validationAuc !== undefined ? `; validation AUC ${a.model.validationAuc.toFixed(3)}` : ''}`);
  if (a.notes.length) {
    lines.push('', 'NOTES');
    for (const n of a.notes) lines.push(`  - ${clean(n, 400)}`);
  }
  return lines.join('\n');
}
