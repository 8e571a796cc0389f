// The ids of the remediation actions Incident Lens plans itself (src/remediation/catalog.ts). Here in
// core so that what proposes actions (the hypothesis, the agent) can stay within the catalog without
// importing the remediation layer. A workspace's runbooks (.incident-lens/actions.yaml) add their own ids.
export const BUILTIN_ACTION_IDS = ['rollback-deploy', 'restart', 'scale', 'pause-rollout', 'silence-alert', 'rollback-model'] as const;
/** The Kubernetes actions planned against the cluster's state (src/remediation/kubeActions.ts). */
export const KUBE_ACTION_IDS = ['cordon-node', 'drain-node', 'set-resources', 'suspend-cronjob', 'delete-job'] as const;
/** Every id the catalog plans without a workspace runbook. */
export const CATALOG_ACTION_IDS: readonly string[] = [...BUILTIN_ACTION_IDS, ...KUBE_ACTION_IDS];
