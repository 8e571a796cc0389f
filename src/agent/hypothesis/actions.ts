// Stage 5 of the hypothesis: the actions it proposes, by catalog id with parameters as data. Every one
// still goes through the policy, the approval prompt and the ledger before anything runs.
import type { Alert, Change, ProposedAction } from '../../core/model';
import type { Decision } from './decide';

export function proposeActions(d: Decision, changes: Change[], alerts: Alert[]): ProposedAction[] {
  const actions: ProposedAction[] = [];
  const svc = d.service;
  if ((d.causeKind === 'code-change' || d.causeKind === 'config-change') && d.suspect && svc) {
    const change = changes.find((c) => c.sha === d.suspect!.sha);
    const previous = change?.parents?.[0];
    if (change?.deploy) {
      actions.push({ actionId: 'rollback-deploy', title: `Roll back ${svc} to the revision before ${d.suspect.sha.slice(0, 8)}`, params: { service: svc, fromRevision: d.suspect.sha, ...(previous ? { revision: previous } : {}) }, why: `The deploy ${change.deploy.ref} is the suspected cause.` });
      actions.push({ actionId: 'pause-rollout', title: `Pause further rollouts of ${svc}`, params: { service: svc }, why: 'Stops the change from spreading while it is confirmed.' });
    }
    if (d.leak) actions.unshift({ actionId: 'restart', title: `Restart ${svc} to reclaim memory`, params: { service: svc }, why: 'Buys time against the leak until the fix or rollback is out.' });
  } else if (d.causeKind === 'capacity' && svc && d.mechanism === 'traffic') {
    // No replica count is invented here: the plan reads the bounds (HPA, current replicas) from the
    // platform source, or the person is asked.
    actions.push({ actionId: 'scale', title: `Scale out ${svc}`, params: { service: svc }, why: 'It ran out of headroom under the extra traffic.' });
  } else if (d.causeKind === 'infrastructure' && d.host && (d.mechanism === 'host' || d.mechanism === 'node-event')) {
    actions.push({ actionId: 'cordon-drain', title: `Cordon and drain ${d.host}`, params: { node: d.host, ...(svc ? { service: svc } : {}) }, why: `The failures are on ${d.host}; moving its workloads off it restores them.` });
  } else if (d.causeKind === 'dependency') {
    const a = alerts[0];
    actions.push({ actionId: 'silence-alert', title: `Silence ${a.name} for 1 h while ${d.dependency} recovers`, params: { 'match.alertname': a.name, ...(a.service ? { 'match.service': a.service } : {}), duration: '1h', comment: `Known outage of ${d.dependency}` }, why: 'Nothing in our code or deploys to roll back; the alert is noise until the dependency recovers.' });
  }
  return actions;
}
