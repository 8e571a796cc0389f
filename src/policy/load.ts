// Reads .incident-lens/policy.yaml. Anything wrong with the file (syntax, a wrong type, an unknown
// key or verdict) becomes Policy.error with its line and column, and evaluatePolicy then denies
// everything: a policy we cannot read must never mean "no rules, so allow". A hostile file (an alias
// bomb, a huge file, a "__proto__" key) is one more way of being wrong: it is reported, never thrown.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineCounter, type Document } from 'yaml';
import type { PolicyVerdict } from '../core/model';
import { checkName } from './names';
import { parseYamlSafely } from '../core/safeYaml';
import { autonomyLevels, type AutonomyLevel, type DayOfWeek, type Policy, type PolicyRule, type RuleCondition, type TimeWindow } from './types';
import { allDays, isValidTimeZone, parseTimeOfDay, parseWindowBound } from './timeWindow';

export const policyVerdicts: readonly PolicyVerdict[] = ['allow', 'require-approval', 'dry-run-only', 'deny'];
const risks = ['low', 'medium', 'high'] as const;

/** Where a workspace keeps its policy. */
export function workspacePolicyPath(workspaceDir: string): string {
  return path.join(workspaceDir, '.incident-lens', 'policy.yaml');
}

export function emptyPolicy(source = 'built-in'): Policy {
  // Null-prototype maps: a key such as "constructor" is data, never Object.prototype's.
  return { source, rules: [], limits: {}, services: Object.create(null) as Policy['services'], environments: Object.create(null) as Policy['environments'] };
}

type Path = (string | number)[];

class PolicyParser {
  readonly errors: string[] = [];
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly source: string,
  ) {}

  where(path: Path): string {
    const node = path.length ? (this.doc.getIn(path, true) as { range?: [number, number, number] } | undefined) : (this.doc.contents as { range?: [number, number, number] } | null);
    const offset = node?.range?.[0];
    if (offset === undefined) return this.source;
    const pos = this.lines.linePos(offset);
    return `${this.source}:${pos.line}:${pos.col}`;
  }

  line(path: Path): number | undefined {
    const node = this.doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? this.lines.linePos(node.range[0]).line : undefined;
  }

  fail(path: Path, message: string): undefined {
    this.errors.push(`${this.where(path)}: ${path.length ? path.join('.') + ': ' : ''}${message}`);
    return undefined;
  }

  isMap(v: unknown): v is Record<string, unknown> {
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  }

  checkKeys(v: Record<string, unknown>, path: Path, allowed: string[]): void {
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) this.fail([...path, k], `unknown key "${k}" (expected one of ${allowed.join(', ')})`);
    }
  }

  stringList(v: unknown, path: Path): string[] | undefined {
    const items = Array.isArray(v) ? v : [v];
    const out: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      const at = Array.isArray(v) ? [...path, i] : path;
      if (typeof item !== 'string' || item === '') return this.fail(at, `expected a non-empty string or a list of them, got ${describe(item)}`);
      out.push(item);
    }
    if (out.length === 0) return this.fail(path, 'expected at least one value');
    return out;
  }

  /** Globs over names: in the normal form of names.ts, so they compare like the names they match. */
  nameList(v: unknown, path: Path): string[] | undefined {
    const list = this.stringList(v, path);
    if (!list) return undefined;
    const out: string[] = [];
    for (const item of list) {
      const c = checkName(item, `the pattern ${JSON.stringify(item.slice(0, 40))}`);
      if (!c.ok) return this.fail(path, c.problem);
      out.push(c.name);
    }
    return out;
  }

  /** A map key that names something: normalised, and unique after normalisation. */
  nameKey(key: string, path: Path, seen: Map<string, string>): string | undefined {
    const c = checkName(key, `the name ${JSON.stringify(key.slice(0, 40))}`);
    if (!c.ok) return this.fail(path, c.problem);
    const earlier = seen.get(c.name);
    if (earlier !== undefined) return this.fail(path, `"${key}" and "${earlier}" are the same name (names are compared case-insensitively, spaces trimmed)`);
    seen.set(c.name, key);
    return c.name;
  }

  enumList<T extends string>(v: unknown, path: Path, allowed: readonly T[]): T[] | undefined {
    const list = this.stringList(v, path);
    if (!list) return undefined;
    for (const item of list) {
      if (!allowed.includes(item as T)) return this.fail(path, `unknown value "${item}" (expected ${allowed.join(', ')})`);
    }
    return list as T[];
  }

  count(v: unknown, path: Path): number | undefined {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return this.fail(path, `expected a whole number >= 0, got ${describe(v)}`);
    return v;
  }

  days(v: unknown, path: Path): DayOfWeek[] | undefined {
    const list = this.stringList(v, path);
    if (!list) return undefined;
    const out: DayOfWeek[] = [];
    for (const raw of list) {
      const item = raw.toLowerCase().slice(0, 3);
      const range = /^([a-z]{3})[a-z]*\s*-\s*([a-z]{3})[a-z]*$/.exec(raw.toLowerCase());
      if (range) {
        const a = allDays.indexOf(range[1] as DayOfWeek);
        const b = allDays.indexOf(range[2] as DayOfWeek);
        if (a < 0 || b < 0) return this.fail(path, `unknown day range "${raw}"`);
        for (let i = a; ; i = (i + 1) % 7) {
          out.push(allDays[i]);
          if (i === b) break;
        }
      } else if (allDays.includes(item as DayOfWeek) && /^[a-z]+$/i.test(raw)) {
        out.push(item as DayOfWeek);
      } else {
        return this.fail(path, `unknown day "${raw}" (expected mon, tue, wed, thu, fri, sat, sun or a range like mon-fri)`);
      }
    }
    return out;
  }

  timeWindow(v: unknown, path: Path): TimeWindow | undefined {
    if (!this.isMap(v)) return this.fail(path, `expected a time window (timezone, days, hours, from, to), got ${describe(v)}`);
    this.checkKeys(v, path, ['timezone', 'days', 'hours', 'from', 'to']);
    const timezone = v.timezone === undefined ? 'UTC' : v.timezone;
    if (typeof timezone !== 'string' || !isValidTimeZone(timezone)) return this.fail([...path, 'timezone'], `unknown time zone ${describe(timezone)} (use an IANA name such as Europe/Paris)`);
    const window: TimeWindow = { timezone };
    if (v.days !== undefined) window.days = this.days(v.days, [...path, 'days']);
    if (v.hours !== undefined) {
      const m = typeof v.hours === 'string' ? /^\s*([^-\s]+)\s*-\s*([^-\s]+)\s*$/.exec(v.hours) : null;
      const from = m ? parseTimeOfDay(m[1]) : undefined;
      const to = m ? parseTimeOfDay(m[2]) : undefined;
      if (from === undefined || to === undefined || from === to) this.fail([...path, 'hours'], `expected "HH:MM-HH:MM" (24-hour, may wrap past midnight), got ${describe(v.hours)}`);
      else window.between = { from, to, text: v.hours as string };
    }
    for (const key of ['from', 'to'] as const) {
      if (v[key] === undefined) continue;
      const bound = typeof v[key] === 'string' ? parseWindowBound(v[key] as string) : undefined;
      if (!bound) this.fail([...path, key], `expected an ISO date or date-time such as 2026-12-24 or 2026-12-24T18:00:00Z, got ${describe(v[key])}`);
      else window[key] = { ...bound, text: v[key] as string };
    }
    if (window.from && window.to && window.from.epochMs !== undefined && window.to.epochMs !== undefined && window.from.epochMs >= window.to.epochMs) {
      this.fail(path, '"from" must be before "to"');
    }
    return window;
  }

  condition(v: unknown, path: Path): RuleCondition | undefined {
    if (v === undefined || v === null) return {};
    if (!this.isMap(v)) return this.fail(path, `expected conditions (action, environment, tier, service, namespace, risk, destructive, blastRadius, time, autonomy), got ${describe(v)}`);
    this.checkKeys(v, path, ['action', 'environment', 'tier', 'service', 'namespace', 'risk', 'destructive', 'blastRadius', 'time', 'autonomy']);
    const c: RuleCondition = {};
    for (const key of ['action', 'environment', 'tier', 'service', 'namespace'] as const) {
      if (v[key] !== undefined) c[key] = this.nameList(v[key], [...path, key]);
    }
    if (v.risk !== undefined) c.risk = this.enumList(v.risk, [...path, 'risk'], risks);
    if (v.autonomy !== undefined) c.autonomy = this.enumList<AutonomyLevel>(v.autonomy, [...path, 'autonomy'], autonomyLevels);
    if (v.destructive !== undefined) {
      if (typeof v.destructive !== 'boolean') this.fail([...path, 'destructive'], `expected true or false, got ${describe(v.destructive)}`);
      else c.destructive = v.destructive;
    }
    if (v.blastRadius !== undefined) {
      const b = v.blastRadius;
      if (!this.isMap(b)) this.fail([...path, 'blastRadius'], `expected maxPods, maxReplicas, minPods or minReplicas, got ${describe(b)}`);
      else {
        this.checkKeys(b, [...path, 'blastRadius'], ['maxPods', 'maxReplicas', 'minPods', 'minReplicas']);
        c.blastRadius = {};
        for (const key of ['maxPods', 'maxReplicas', 'minPods', 'minReplicas'] as const) {
          if (b[key] !== undefined) c.blastRadius[key] = this.count(b[key], [...path, 'blastRadius', key]);
        }
      }
    }
    if (v.time !== undefined) {
      const list = Array.isArray(v.time) ? v.time : [v.time];
      c.time = list.map((w, i) => this.timeWindow(w, Array.isArray(v.time) ? [...path, 'time', i] : [...path, 'time'])).filter((w): w is TimeWindow => !!w);
    }
    return c;
  }

  policy(js: unknown): Policy {
    const policy = emptyPolicy(this.source);
    if (js === undefined || js === null) return policy;
    if (!this.isMap(js)) {
      this.fail([], `the policy must be a mapping with "rules", got ${describe(js)}`);
      return policy;
    }
    this.checkKeys(js, [], ['version', 'limits', 'services', 'environments', 'rules']);
    if (js.version !== undefined && js.version !== 1) this.fail(['version'], `unsupported version ${describe(js.version)} (this build reads version 1)`);
    if (js.limits !== undefined) {
      if (!this.isMap(js.limits)) this.fail(['limits'], `expected maxPods / maxReplicas, got ${describe(js.limits)}`);
      else {
        this.checkKeys(js.limits, ['limits'], ['maxPods', 'maxReplicas']);
        if (js.limits.maxPods !== undefined) policy.limits.maxPods = this.count(js.limits.maxPods, ['limits', 'maxPods']);
        if (js.limits.maxReplicas !== undefined) policy.limits.maxReplicas = this.count(js.limits.maxReplicas, ['limits', 'maxReplicas']);
      }
    }
    if (js.services !== undefined) {
      if (!this.isMap(js.services)) this.fail(['services'], `expected a mapping of service name to { tier }, got ${describe(js.services)}`);
      else {
        const seen = new Map<string, string>();
        for (const [name, facts] of Object.entries(js.services)) {
          const key = this.nameKey(name, ['services', name], seen);
          if (!this.isMap(facts)) {
            this.fail(['services', name], `expected { tier: ... }, got ${describe(facts)}`);
            continue;
          }
          this.checkKeys(facts, ['services', name], ['tier']);
          let tier: string | undefined;
          if (facts.tier !== undefined) {
            const t = typeof facts.tier === 'string' ? checkName(facts.tier, 'the tier') : undefined;
            if (!t) this.fail(['services', name, 'tier'], `expected a string, got ${describe(facts.tier)}`);
            else if (!t.ok) this.fail(['services', name, 'tier'], t.problem);
            else tier = t.name;
          }
          if (key !== undefined) policy.services[key] = { tier };
        }
      }
    }
    if (js.environments !== undefined) {
      if (!this.isMap(js.environments)) this.fail(['environments'], `expected a mapping of environment name (or glob) to { production: true|false }, got ${describe(js.environments)}`);
      else {
        const seen = new Map<string, string>();
        for (const [name, facts] of Object.entries(js.environments)) {
          const key = this.nameKey(name, ['environments', name], seen);
          if (!this.isMap(facts) || typeof facts.production !== 'boolean') {
            this.fail(['environments', name], `expected { production: true } or { production: false }, got ${describe(facts)}`);
            continue;
          }
          this.checkKeys(facts, ['environments', name], ['production']);
          if (key !== undefined) policy.environments[key] = { production: facts.production };
        }
      }
    }
    if (js.rules !== undefined && js.rules !== null) {
      if (!Array.isArray(js.rules)) this.fail(['rules'], `expected a list of rules, got ${describe(js.rules)}`);
      else js.rules.forEach((r, i) => {
        const rule = this.rule(r, ['rules', i], i);
        if (rule) policy.rules.push(rule);
      });
    }
    return policy;
  }

  rule(v: unknown, path: Path, index: number): PolicyRule | undefined {
    if (!this.isMap(v)) return this.fail(path, `expected a rule with "if" and "then", got ${describe(v)}`);
    this.checkKeys(v, path, ['name', 'if', 'then', 'reason']);
    if (v.name !== undefined && (typeof v.name !== 'string' || v.name === '')) this.fail([...path, 'name'], `expected a non-empty string, got ${describe(v.name)}`);
    if (v.reason !== undefined && typeof v.reason !== 'string') this.fail([...path, 'reason'], `expected a string, got ${describe(v.reason)}`);
    if (v.then === undefined) return this.fail(path, `rule has no "then" (one of ${policyVerdicts.join(', ')})`);
    if (typeof v.then !== 'string' || !policyVerdicts.includes(v.then as PolicyVerdict)) {
      return this.fail([...path, 'then'], `unknown verdict ${describe(v.then)} (expected one of ${policyVerdicts.join(', ')})`);
    }
    const condition = this.condition(v.if, [...path, 'if']);
    if (!condition) return undefined;
    const line = this.line(path);
    return {
      name: typeof v.name === 'string' && v.name ? v.name : `rule ${index + 1}${line ? ` (line ${line})` : ''}`,
      if: condition,
      then: v.then as PolicyVerdict,
      reason: typeof v.reason === 'string' ? v.reason : undefined,
      line,
    };
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v);
  return `${typeof v} ${String(v)}`;
}

/** Parses policy YAML text. Never throws: problems are in the result's `error`. */
export function loadPolicy(text: string, source = 'policy.yaml'): Policy {
  try {
    const parsed = parseYamlSafely(text, source);
    if (!parsed.ok) return { ...emptyPolicy(source), error: `policy file ${parsed.kind === 'syntax' ? 'is not valid YAML' : 'is refused'}: ${parsed.problems.join('; ')}` };
    const parser = new PolicyParser(parsed.doc, parsed.lines, source);
    const policy = parser.policy(parsed.value);
    if (parser.errors.length > 0) return { ...emptyPolicy(source), error: `policy file is invalid: ${parser.errors.join('; ')}` };
    return policy;
  } catch (err) {
    // Nothing above should throw; if it does, the policy still fails closed.
    return { ...emptyPolicy(source), error: `policy file could not be read: ${(err as Error)?.message ?? String(err)}` };
  }
}

/**
 * Reads a policy file. A missing file is the built-in default (no workspace rules); a file that
 * exists but cannot be read is an error, so the engine fails closed.
 */
export function loadPolicyFile(file: string): Policy {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return emptyPolicy(`built-in (no ${file})`);
    return { ...emptyPolicy(file), error: `cannot read policy file ${file}: ${code ?? (err as Error).message}` };
  }
  return loadPolicy(text, file);
}
