// The agent's structured answer and the grounding check. Every claim cites tool results (t1, t2, …)
// or findings (series ids, log pattern ids, span refs, commit shas, evidence ids) with a quote; a claim
// is supported only when every citation exists and contains its quote. Unsupported claims are kept
// but never shown as conclusions, and the answer's named service and commit count only when a
// supported claim's sources name them.
import type { CauseKind, Hypothesis } from '../../core/model';
import type { Investigation } from '../../core/investigation';
import type { ObjectSchema } from '../tools/schema';
import { checkArgs } from '../tools/schema';

export const causeKinds: readonly CauseKind[] = ['code-change', 'config-change', 'dependency', 'capacity', 'infrastructure', 'unknown'];

export const submitAnswerTool = 'submit_answer';

export const answerSchema: ObjectSchema = {
  type: 'object',
  properties: {
    summary: { type: 'string', maxLength: 4000, description: 'The answer in a few sentences.' },
    causeKind: { type: 'string', enum: causeKinds, description: 'The kind of cause.' },
    service: { type: 'string', maxLength: 200, description: 'The service at fault, if one is.' },
    commit: { type: 'string', maxLength: 64, description: 'The sha of the commit at fault, if one is.' },
    claims: {
      type: 'array',
      maxItems: 20,
      description: 'Each statement the answer rests on, with its citations.',
      items: {
        type: 'object',
        properties: {
          text: { type: 'string', maxLength: 1000 },
          citations: {
            type: 'array',
            maxItems: 8,
            items: {
              type: 'object',
              properties: {
                source: { type: 'string', maxLength: 300, description: 'A tool result id (t1, t2, …) or a finding id (series id, log pattern id, traceId/spanId, commit sha, evidence id such as e1).' },
                quote: { type: 'string', maxLength: 500, description: 'Text copied exactly from that result or finding that supports the claim.' },
              },
              required: ['source', 'quote'],
            },
          },
        },
        required: ['text', 'citations'],
      },
    },
    nextChecks: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 500 }, description: 'What a person should check next.' },
    proposedActions: {
      type: 'array',
      maxItems: 5,
      items: {
        type: 'object',
        properties: {
          actionId: { type: 'string', maxLength: 100 },
          params: { type: 'object', properties: {}, additionalProperties: { type: 'string', maxLength: 1024 } },
          why: { type: 'string', maxLength: 1000 },
        },
        required: ['actionId', 'why'],
      },
      description: 'Catalog action ids only; each still needs a person\'s approval under the policy.',
    },
  },
  required: ['summary', 'causeKind', 'claims'],
};

export interface Citation {
  source: string;
  quote: string;
  /** Whether the source exists and contains the quote; the reason when not. */
  found: boolean;
  problem?: string;
}

export interface Claim {
  text: string;
  citations: Citation[];
  supported: boolean;
}

export interface AnswerAction {
  actionId: string;
  params: Record<string, string>;
  why: string;
}

export interface Agreement {
  field: 'causeKind' | 'service' | 'commit';
  agent?: string;
  baseline?: string;
  agrees: boolean;
}

export interface GroundedAnswer {
  summary: string;
  causeKind: CauseKind;
  service?: string;
  commit?: string;
  /** The named service and commit are backed by a supported claim's sources. */
  serviceSupported: boolean;
  commitSupported: boolean;
  claims: Claim[];
  nextChecks: string[];
  /** Catalog ids only; each still goes through policy and approval. */
  proposedActions: AnswerAction[];
  /** Proposals dropped because their id is not in the catalog. */
  rejectedActions: { actionId: string; reason: string }[];
  /** At least one claim is supported: only then is the answer a conclusion. */
  supported: boolean;
  /** Where the agent and the deterministic hypothesis agree or disagree. */
  agreement: Agreement[];
}

/** The texts a citation may point at: tool results by id, findings by their ids. */
export type CitationSources = Map<string, string>;

function norm(s: string): string {
  return s
    .replace(/\\n|\\r|\\t/g, ' ')
    .replace(/\\"/g, '"')
    .replace(/\\\\/g, '\\')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** The findings and hypothesis evidence of an investigation, by the ids a claim may cite. */
export function findingSources(inv: Investigation | undefined): CitationSources {
  const out: CitationSources = new Map();
  if (!inv) return out;
  const put = (id: string | undefined, v: unknown) => id && out.set(id, JSON.stringify(v));
  const f = inv.findings;
  for (const s of f.series) put(s.id, s);
  for (const p of f.logPatterns) put(p.id, p);
  for (const o of f.errorOrigins) put(o.ref, o);
  for (const o of f.slowOperations) put(o.ref, o);
  for (const s of f.suspects) put(s.sha, s);
  for (const h of f.hosts) put(h.host, h);
  for (const e of inv.hypothesis.evidence) put(e.id, e);
  return out;
}

function lookup(sources: CitationSources, source: string): string | undefined {
  const direct = sources.get(source);
  if (direct !== undefined) return direct;
  // An abbreviated sha cites its commit.
  if (/^[0-9a-f]{7,39}$/i.test(source)) for (const [k, v] of sources) if (k.toLowerCase().startsWith(source.toLowerCase())) return v;
  return undefined;
}

export function checkCitation(sources: CitationSources, source: string, quote: string): Citation {
  const text = lookup(sources, source.trim());
  if (text === undefined) return { source, quote, found: false, problem: `no tool result or finding has the id ${JSON.stringify(source)}` };
  const q = norm(quote.replace(/^["'`]+|["'`]+$/g, ''));
  if (q.length < 3) return { source, quote, found: false, problem: 'the quote is empty or too short to check' };
  if (!norm(text).includes(q)) return { source, quote, found: false, problem: `${source} does not contain the quoted text` };
  return { source, quote, found: true };
}

const same = (a?: string, b?: string): boolean => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
const sameSha = (a?: string, b?: string): boolean => !!a && !!b && a.length >= 7 && b.length >= 7 && (a.toLowerCase().startsWith(b.toLowerCase()) || b.toLowerCase().startsWith(a.toLowerCase()));

export type ParsedAnswer = { ok: true; answer: GroundedAnswer } | { ok: false; problems: string[] };

/** Checks the model's submit_answer arguments and grounds every claim in the sources. */
export function groundAnswer(raw: unknown, sources: CitationSources, actionIds: readonly string[], baseline?: Hypothesis): ParsedAnswer {
  const checked = checkArgs(answerSchema, raw);
  if (!checked.ok) return { ok: false, problems: checked.problems };
  const v = checked.value as {
    summary: string;
    causeKind: CauseKind;
    service?: string;
    commit?: string;
    claims: { text: string; citations?: { source: string; quote: string }[] }[];
    nextChecks?: string[];
    proposedActions?: { actionId: string; params?: Record<string, string>; why: string }[];
  };
  const claims: Claim[] = v.claims.map((c) => {
    const citations = (c.citations ?? []).map((x) => checkCitation(sources, x.source, x.quote));
    return { text: c.text, citations, supported: citations.length > 0 && citations.every((x) => x.found) };
  });
  const supportedTexts = claims.filter((c) => c.supported).flatMap((c) => [c.text, ...c.citations.map((x) => lookup(sources, x.source) ?? '')]).map(norm);
  const mentioned = (needle?: string): boolean => !!needle && supportedTexts.some((t) => t.includes(norm(needle)));
  const proposedActions: AnswerAction[] = [];
  const rejectedActions: { actionId: string; reason: string }[] = [];
  for (const a of v.proposedActions ?? []) {
    if (actionIds.includes(a.actionId)) proposedActions.push({ actionId: a.actionId, params: a.params ?? {}, why: a.why });
    else rejectedActions.push({ actionId: a.actionId, reason: `not an action of the catalog (${actionIds.join(', ')})` });
  }
  const agreement: Agreement[] = [];
  if (baseline) {
    const base = baseline.abstained ? undefined : baseline;
    agreement.push({ field: 'causeKind', agent: v.causeKind, baseline: base?.causeKind ?? 'abstained', agrees: base ? base.causeKind === v.causeKind : v.causeKind === 'unknown' });
    agreement.push({ field: 'service', agent: v.service, baseline: base?.service, agrees: base?.service ? same(base.service, v.service) : !v.service });
    agreement.push({ field: 'commit', agent: v.commit, baseline: base?.suspectCommit?.sha, agrees: base?.suspectCommit ? sameSha(base.suspectCommit.sha, v.commit) : !v.commit });
  }
  return {
    ok: true,
    answer: {
      summary: v.summary,
      causeKind: v.causeKind,
      ...(v.service ? { service: v.service } : {}),
      ...(v.commit ? { commit: v.commit } : {}),
      serviceSupported: !v.service || mentioned(v.service),
      commitSupported: !v.commit || mentioned(v.commit) || supportedTexts.some((t) => t.includes(v.commit!.toLowerCase().slice(0, 7))),
      claims,
      nextChecks: v.nextChecks ?? [],
      proposedActions,
      rejectedActions,
      supported: claims.some((c) => c.supported),
      agreement,
    },
  };
}
