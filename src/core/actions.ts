// The ids of the remediation actions Incident Lens plans itself (src/remediation/catalog.ts). Here in
// core so that what proposes actions (the hypothesis, the agent) can stay within the catalog without
// importing the remediation layer. A workspace's runbooks (.incident-lens/actions.yaml) add their own ids.
export const BUILTIN_ACTION_IDS = ['rollback-deploy', 'restart', 'scale', 'pause-rollout', 'silence-alert', 'rollback-model'] as const;
