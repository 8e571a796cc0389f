// payments' TLS certificate, issued by the internal CA 90 days earlier, expires while the lab runs:
// checkout's new connections to payments fail verification with CERT_HAS_EXPIRED. No commit is to
// blame; the certificate lives outside the repository.
import type { FaultDefinition } from '../types';

export const tlsCertificateExpired: FaultDefinition = {
  name: 'tls-certificate-expired',
  title: 'payments\' TLS certificate expires',
  injection: "The lab issues payments' certificate (openssl ca, internal CA) with notAfter 40 s after the baseline ends. payments recycles keep-alive connections every 100 requests and checkout keeps no TLS session cache, so within seconds of the expiry checkout's calls fail with \"certificate has expired\" (CERT_HAS_EXPIRED) and checkout answers 502.",
  innocent: 'payments itself is deployed 40 s before the expiry with "payments: log the acquirer\'s decline code".',
  truth: { causeKind: 'config-change', service: 'payments', noCodeCause: true, scenario: 'lab:tls-certificate-expired' },
  commits: [
    {
      id: 'decline-code',
      author: 'alice',
      minutesAgo: 30,
      message: "payments: log the acquirer's decline code",
      edits: [{ path: 'services/payments/src/acquirer.js', before: "  if (res.status === 402) throw new HttpError(402, `card declined: ${message}`);", after: "  if (res.status === 402) {\n    telemetry.log('info', `card declined: ${message}`, { 'acquirer.decline_code': String((res.body.error && res.body.error.decline_code) || '') });\n    throw new HttpError(402, `card declined: ${message}`);\n  }" }],
    },
  ],
  steps: [{ atS: 0, what: 'innocent payments deploy', run: (lab) => lab.deploy('payments', 'decline-code') }],
  paymentsCertificateExpiresAtS: 40,
  alert: { via: 'receiver', alertname: 'HighErrorRatio', service: 'checkout' },
};
