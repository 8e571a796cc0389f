// A payments commit fingerprints every card with scrypt at a cost meant for password storage: about
// a fifth of a second of CPU per charge, on the event loop.
import type { FaultDefinition } from '../types';

export const cpuHog: FaultDefinition = {
  name: 'cpu-hog',
  title: 'scrypt on every charge saturates payments\' CPU',
  injection: 'Deploys "payments: fingerprint cards for duplicate-charge detection" to payments: crypto.scryptSync with N=2^16, r=8, p=2 on every charge (about 0.4 s of CPU), synchronously. One core is busy with it (as far as the machine gives it one); the event loop stalls, every payments request queues, and the receiver\'s HighLatencyP95 rule fires for payments. The lab\'s Prometheus runs too, for the CPU series (process_cpu_seconds_total).',
  innocent: 'inventory is deployed 40 s before with a README change; the same payments deploy ships "docs: acquirer dashboard in the README".',
  truth: {
    causeKind: 'code-change',
    service: 'payments',
    commitRef: 'card-fingerprint',
    path: 'services/payments/src/server.js',
    startLine: 12,
    endLine: 16,
    scenario: 'lab:cpu-hog',
  },
  commits: [
    {
      id: 'acquirer-docs',
      author: 'dave',
      minutesAgo: 80,
      message: 'docs: acquirer dashboard in the README',
      edits: [{ path: 'README.md', before: '## Running locally\n', after: "## Operating\n\nThe acquirer's merchant dashboard shows authorizations, declines and our rate limit.\n\n## Running locally\n" }],
    },
    {
      id: 'inventory-readme',
      author: 'erin',
      minutesAgo: 55,
      message: 'inventory: npm run migrate in the README',
      edits: [{ path: 'README.md', before: 'NODE_PATH=/path/to/node_modules PGHOST=127.0.0.1 node services/inventory/src/server.js\n', after: 'NODE_PATH=/path/to/node_modules PGHOST=127.0.0.1 node services/inventory/src/server.js\n(cd services/inventory && PGHOST=127.0.0.1 npm run migrate)\n' }],
    },
    {
      id: 'card-fingerprint',
      author: 'bob',
      minutesAgo: 35,
      message: 'payments: fingerprint cards for duplicate-charge detection\n\nscrypt, so a leaked fingerprint table does not give the card numbers away.',
      edits: [
        {
          path: 'services/payments/src/server.js',
          before: "const telemetry = createTelemetry('payments');\n",
          after: "const telemetry = createTelemetry('payments');\n\n// A salted, slow hash of the card number: duplicate charges can be found without storing numbers.\nfunction cardFingerprint(number) {\n  const digits = String(number).replace(/\\D/g, '');\n  return crypto.scryptSync(digits, 'shop-card-fingerprint-v1', 32, { N: 2 ** 16, r: 8, p: 2, maxmem: 128 * 1024 * 1024 }).toString('hex');\n}\n",
        },
        {
          path: 'services/payments/src/server.js',
          before: '  const card = validateCard(body.card, config.acceptedNetworks);\n',
          after: "  const card = validateCard(body.card, config.acceptedNetworks);\n  telemetry.log('info', 'charge requested', { 'card.fingerprint': cardFingerprint(body.card.number).slice(0, 16) });\n",
        },
      ],
    },
  ],
  steps: [
    { atS: 0, what: 'innocent inventory deploy', run: (lab) => lab.deploy('inventory', 'inventory-readme') },
    { atS: 40, what: 'the payments deploy with the card fingerprint', run: (lab) => lab.deploy('payments', 'card-fingerprint') },
  ],
  // Waits for the receiver's latency rule: on a machine shared with other work, payments may not get
  // 80% of a core to trip the lab's ProcessCpuSaturated rule, but its requests queue either way.
  alert: { via: 'receiver', alertname: 'HighLatencyP95', service: 'payments' },
  withPrometheus: true,
};
