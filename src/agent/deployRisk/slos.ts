// Service-level objectives declared in `.incident-lens/slos.yaml`, and the error budget each has
// left, from the configured metrics:
//
//   version: 1
//   slos:
//     - name: payments availability
//       service: payments
//       objective: 99.5            # percent (or 0.995)
//       window: 30d                # the SLO's window: Nd, Nh or Nm
//       source: lab-prometheus     # optional: which configured metrics source answers
//       errorRatio: sum(rate(http_server_errors_total{service="payments"}[{{window}}])) / sum(rate(http_server_requests_total{service="payments"}[{{window}}]))
//       # or good: <PromQL> and total: <PromQL>
//
// `{{window}}` in a query becomes the window. Remaining budget = 1 - error ratio / (1 - objective):
// below 0 the budget is spent, which is the usual rule for holding feature deploys back.
import type { MetricSource } from '../../core/sources';
import type { RiskEvidence, RiskFactor } from '../../core/deployRisk';
import { errorMessage } from '../../core/errors';
import { parseYamlSafely } from '../../core/safeYaml';
import { factorWeights } from './factors';

export interface SloDeclaration {
  name: string;
  service: string;
  /** As a ratio, 0.995. */
  objective: number;
  window: string;
  source?: string;
  errorRatio?: string;
  good?: string;
  total?: string;
  line?: number;
}

export interface SloFile {
  slos: SloDeclaration[];
  /** Problems that make the file unusable, each with its line. */
  errors: string[];
}

const MAX_QUERY = 2000;

export function parseSloFile(text: string, source = '.incident-lens/slos.yaml'): SloFile {
  const parsed = parseYamlSafely(text, source);
  if (!parsed.ok) return { slos: [], errors: parsed.problems };
  const root = parsed.value as { version?: unknown; slos?: unknown } | null;
  const errors: string[] = [];
  if (!root || typeof root !== 'object' || Array.isArray(root)) return { slos: [], errors: [`${source}: the file must be a mapping with a "slos" list`] };
  if (root.version !== undefined && root.version !== 1) errors.push(`${source}: version must be 1`);
  if (!Array.isArray(root.slos)) return { slos: [], errors: [...errors, `${source}: "slos" must be a list`] };
  const items = (parsed.doc.get('slos', true) as { items?: { range?: [number, number, number] }[] } | undefined)?.items ?? [];
  const slos: SloDeclaration[] = [];
  root.slos.forEach((raw, i) => {
    const offset = items[i]?.range?.[0];
    const line = offset !== undefined ? parsed.lines.linePos(offset).line : undefined;
    const at = `${source}${line ? `:${line}` : ''}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return errors.push(`${at}: each SLO must be a mapping`);
    const s = raw as Record<string, unknown>;
    const str = (k: string, max = 200): string | undefined => (typeof s[k] === 'string' && (s[k] as string).trim() && (s[k] as string).length <= max ? (s[k] as string).trim() : undefined);
    const name = str('name') ?? `SLO ${i + 1}`;
    const service = str('service');
    const window = str('window', 20);
    let objective = typeof s.objective === 'number' ? s.objective : Number.NaN;
    if (objective > 1 && objective < 100) objective /= 100;
    const problems: string[] = [];
    if (!service) problems.push('"service" is required');
    if (!(objective > 0 && objective < 1)) problems.push('"objective" must be a percentage between 0 and 100 (99.5) or a ratio (0.995)');
    if (!window || !/^\d{1,4}[dhm]$/.test(window)) problems.push('"window" must look like 30d, 24h or 90m');
    const errorRatio = str('errorRatio', MAX_QUERY);
    const good = str('good', MAX_QUERY);
    const total = str('total', MAX_QUERY);
    if (!errorRatio && !(good && total)) problems.push('give "errorRatio", or "good" and "total" (PromQL)');
    if (problems.length) return errors.push(`${at}: ${name}: ${problems.join('; ')}`);
    slos.push({ name, service: service!, objective, window: window!, ...(str('source') ? { source: str('source') } : {}), ...(errorRatio ? { errorRatio } : {}), ...(good ? { good } : {}), ...(total ? { total } : {}), ...(line ? { line } : {}) });
  });
  return { slos, errors };
}

async function instant(source: MetricSource, query: string, now: number, signal?: AbortSignal): Promise<number | undefined> {
  const series = await source.queryRange({ query, start: now - 60_000, end: now, stepSeconds: 60, limit: 5 }, signal);
  for (const s of series) {
    for (let i = s.values.length - 1; i >= 0; i--) if (Number.isFinite(s.values[i])) return s.values[i];
  }
  return undefined;
}

export interface BudgetReading {
  slo: SloDeclaration;
  errorRatio?: number;
  remaining?: number;
  problem?: string;
}

/** Each SLO's error ratio over its window and the share of its budget left. */
export async function readErrorBudgets(slos: readonly SloDeclaration[], sources: readonly MetricSource[], now: number, signal?: AbortSignal): Promise<BudgetReading[]> {
  const prometheus = sources.filter((s) => s.kind === 'prometheus');
  return Promise.all(
    slos.map(async (slo): Promise<BudgetReading> => {
      const source = slo.source ? sources.find((s) => s.name === slo.source) : prometheus[0];
      if (!source) return { slo, problem: slo.source ? `no metrics source named ${JSON.stringify(slo.source)}` : 'no Prometheus source configured' };
      const fill = (q: string) => q.split('{{window}}').join(slo.window);
      try {
        let ratio: number | undefined;
        if (slo.errorRatio) ratio = await instant(source, fill(slo.errorRatio), now, signal);
        else {
          const [good, total] = await Promise.all([instant(source, fill(slo.good!), now, signal), instant(source, fill(slo.total!), now, signal)]);
          ratio = good !== undefined && total !== undefined && total > 0 ? 1 - good / total : undefined;
        }
        if (ratio === undefined || !Number.isFinite(ratio)) return { slo, problem: 'the query returned no value' };
        return { slo, errorRatio: ratio, remaining: 1 - ratio / (1 - slo.objective) };
      } catch (err) {
        return { slo, problem: errorMessage(err) };
      }
    }),
  );
}

export function errorBudgetFactor(readings: readonly BudgetReading[] | undefined, services: readonly string[], problem?: string): RiskFactor {
  const title = 'Error budget of the services\' SLOs';
  if (!readings) return { kind: 'error-budget', title, weight: 0, summary: 'not checked', evidence: [], notMeasured: problem ?? 'no .incident-lens/slos.yaml' };
  const mine = readings.filter((r) => services.includes(r.slo.service));
  if (!mine.length) return { kind: 'error-budget', title, weight: 0, summary: 'no SLO declared for these services', evidence: [], notMeasured: `no SLO in .incident-lens/slos.yaml for ${services.join(', ') || 'these services'}` };
  const measured = mine.filter((r) => r.remaining !== undefined);
  const evidence: RiskEvidence[] = mine.map((r) => ({
    text: r.remaining !== undefined
      ? `${r.slo.name} (${r.slo.service}): ${((1 - r.errorRatio!) * 100).toFixed(3)}% good over ${r.slo.window} against ${(r.slo.objective * 100).toFixed(3)}%: ${r.remaining <= 0 ? 'budget spent' : `${(r.remaining * 100).toFixed(0)}% of the budget left`}`
      : `${r.slo.name} (${r.slo.service}): not measured (${r.problem})`,
    ref: { kind: 'slo', id: r.slo.name, ...(r.slo.line ? { line: r.slo.line } : {}) },
  }));
  if (!measured.length) return { kind: 'error-budget', title, weight: 0, summary: 'not measured', evidence, notMeasured: mine[0].problem ?? 'no value' };
  const worst = measured.reduce((a, b) => (b.remaining! < a.remaining! ? b : a));
  const remaining = worst.remaining!;
  return {
    kind: 'error-budget',
    title,
    value: Math.min(1, Math.max(0, 1 - remaining)),
    weight: factorWeights['error-budget'],
    gate: remaining <= 0,
    summary: remaining <= 0 ? `${worst.slo.name}: the error budget is spent` : `${worst.slo.name}: ${(remaining * 100).toFixed(0)}% of the error budget left`,
    evidence,
  };
}
