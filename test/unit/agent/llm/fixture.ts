// A small incident bundle for the agent's tests: payments fails after a deploy of a commit that
// changed its card validation. Callers plant extra text (secrets, instructions) in its logs, labels,
// span attributes and files.
import type { IncidentBundle } from '../../../../src/core/bundle';
import type { LogRecord, Span } from '../../../../src/core/model';
import type { ScriptedTurn } from '../../../support/chatCompletionsServer';

export const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const MIN = 60_000;
export const badSha = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

export interface Plants {
  logLines?: string[];
  labels?: Record<string, string>;
  spanAttributes?: Record<string, string>;
  fileText?: string;
}

export function incidentBundle(plants: Plants = {}): IncidentBundle {
  const logs: LogRecord[] = [];
  for (let i = 0; i < 60; i++) logs.push({ time: T0 - 40 * MIN + i * 30_000, level: 'info', service: 'payments', body: `charge ok order=${1000 + i} in ${40 + (i % 7)} ms` });
  for (let i = 0; i < 40; i++) logs.push({ time: T0 - 5 * MIN + i * 10_000, level: 'error', service: 'payments', body: `card validation failed: TypeError: Cannot read properties of undefined (reading 'brand') order=${2000 + i}`, traceId: `trace${i % 5}` });
  (plants.logLines ?? []).forEach((body, i) => logs.push({ time: T0 - 3 * MIN + i * 1000, level: 'error', service: 'payments', body }));
  logs.sort((a, b) => a.time - b.time);
  const spans: Span[] = [];
  for (let i = 0; i < 5; i++) {
    const start = T0 - 4 * MIN + i * 20_000;
    spans.push({ traceId: `trace${i}`, spanId: `root${i}`, name: 'POST /checkout', service: 'checkout', kind: 'server', startTime: start, endTime: start + 120, status: 'error', attributes: { 'http.route': '/checkout' } });
    spans.push({
      traceId: `trace${i}`, spanId: `pay${i}`, parentSpanId: `root${i}`, name: 'validateCard', service: 'payments', kind: 'internal', startTime: start + 10, endTime: start + 100, status: 'error',
      statusMessage: "TypeError: Cannot read properties of undefined (reading 'brand')",
      attributes: { 'code.filepath': 'services/payments/src/card-validation.js', 'code.lineno': 12, ...(plants.spanAttributes ?? {}) },
      events: [{ name: 'exception', time: start + 90, attributes: { 'exception.type': 'TypeError', 'exception.message': "Cannot read properties of undefined (reading 'brand')", 'exception.stacktrace': 'TypeError: x\n    at validateCard (services/payments/src/card-validation.js:12:20)' } }],
    });
  }
  const errorRatio = Array.from({ length: 60 }, (_, i) => (i < 54 ? 0.01 : 0.4));
  return {
    version: 1,
    alert: {
      id: 'alert-payments-errors', name: 'HighErrorRatio', state: 'firing', severity: 'critical',
      labels: { alertname: 'HighErrorRatio', service: 'payments', ...(plants.labels ?? {}) }, annotations: { summary: 'payments error ratio above 5%' },
      startsAt: T0, sourceName: 'local', sourceKind: 'otlp', service: 'payments',
    },
    window: { start: T0 - 60 * MIN, end: T0 + 5 * MIN },
    metrics: [
      { id: 'payments:error_ratio', name: 'error_ratio', labels: { service: 'payments' }, service: 'payments', unit: 'ratio', timestamps: errorRatio.map((_, i) => T0 - 54 * MIN + i * MIN), values: errorRatio },
    ],
    logs,
    spans,
    changes: [
      { sha: badSha, author: 'dev', time: T0 - 10 * MIN, message: 'payments: validate card brand', files: [{ path: 'services/payments/src/card-validation.js', status: 'M', additions: 3, deletions: 1, hunks: [{ newStart: 10, newLines: 4, oldStart: 10, oldLines: 2 }] }], deploy: { ref: 'deploy/payments-42', time: T0 - 6 * MIN } },
      { sha: '0f0e0d0c0b0a09080706050403020100ffeeddcc', author: 'other', time: T0 - 50 * MIN, message: 'docs: typo', files: [{ path: 'README.md', status: 'M', additions: 1, deletions: 1 }] },
    ],
    files: {
      'services/payments/src/card-validation.js': ['// card validation', 'function validateCard(card) {', '  if (!card) return false;', '', '', '', '', '', '', '  const number = card.number;', '  const brand = card.details.brand;', "  return brand === 'visa';", '}', plants.fileText ?? ''].join('\n'),
    },
  };
}

/** A model that queries the logs, reads the hypothesis, then answers citing both. */
export function investigatingScript(answer?: Record<string, unknown>): ScriptedTurn[] {
  return [
    { content: 'Looking at the payments errors.', toolCalls: [{ name: 'query_logs', arguments: { query: '{service="payments"} |= "card validation failed"', limit: 5 } }] },
    { toolCalls: [{ name: 'get_hypothesis', arguments: {} }] },
    {
      toolCalls: [{
        name: 'submit_answer',
        arguments: answer ?? {
          summary: 'The deploy of a1b2c3d broke card validation in payments.',
          causeKind: 'code-change',
          service: 'payments',
          commit: badSha,
          claims: [
            { text: 'payments logs TypeErrors in card validation after the deploy', citations: [{ source: 't1', quote: "card validation failed: TypeError: Cannot read properties of undefined (reading 'brand')" }] },
            { text: 'the suspect commit is the card validation change', citations: [{ source: badSha.slice(0, 8), quote: 'payments: validate card brand' }] },
          ],
          nextChecks: ['Check that card.details is set by the checkout client'],
          proposedActions: [{ actionId: 'rollback-deploy', params: { service: 'payments' }, why: 'the deploy introduced the failure' }],
        },
      }],
    },
  ];
}
