// Alert storms: hypotheses built for many alerts that name the same cause collapse into one group.
import type { Hypothesis } from '../../core/model';

/** One cause and the alerts it explains. */
export interface CauseGroup {
  /** causeKind, service and commit (or host/dependency through the service) that identify the cause. */
  key: string;
  /** The most confident hypothesis of the group. */
  hypothesis: Hypothesis;
  alertIds: string[];
}

/**
 * Hypotheses that name the same cause (kind, service, commit) collapse into one group, most confident
 * first. Abstentions stay one group per alert: "don't know" twice is not one shared cause.
 */
export function groupByCause(hypotheses: Hypothesis[]): CauseGroup[] {
  const groups = new Map<string, CauseGroup>();
  for (const h of hypotheses) {
    const key = h.abstained ? `abstained:${h.alertId}` : `${h.causeKind}|${h.service ?? ''}|${h.suspectCommit?.sha ?? ''}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { key, hypothesis: h, alertIds: [h.alertId] });
    else {
      if (!g.alertIds.includes(h.alertId)) g.alertIds.push(h.alertId);
      if (h.confidence > g.hypothesis.confidence) g.hypothesis = h;
    }
  }
  return [...groups.values()].sort((a, b) => b.alertIds.length - a.alertIds.length || b.hypothesis.confidence - a.hypothesis.confidence);
}
