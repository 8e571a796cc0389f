// Just enough of PromQL to look where an alert looks: a parser for the expression language (selectors,
// functions, aggregations, binary operators with their modifiers, ranges, subqueries, offsets), and on
// top of it what the product needs: split `<expr> <op> <number>` into the graphed value and its
// threshold, and scope every selector by the alert's identifying labels. Units: promqlUnits.ts.

import type { Comparison, Labels, Threshold } from '../core/model';

export class PromqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(`${message} at character ${at + 1}`);
    this.name = 'PromqlSyntaxError';
  }
}

export interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

interface Span {
  start: number;
  end: number;
}

export type PromqlNode =
  | ({ type: 'number'; value: number } & Span)
  | ({ type: 'string'; value: string } & Span)
  | ({ type: 'selector'; name?: string; matchers: Matcher[]; /** where new matchers go */ insertAt: number; braces: boolean } & Span)
  | ({ type: 'call'; func: string; args: PromqlNode[] } & Span)
  | ({ type: 'aggregate'; op: string; without: boolean; grouping?: string[]; args: PromqlNode[] } & Span)
  | ({ type: 'binary'; op: string; bool: boolean; left: PromqlNode; right: PromqlNode } & Span)
  | ({ type: 'unary'; op: '-' | '+'; expr: PromqlNode } & Span)
  | ({ type: 'paren'; expr: PromqlNode } & Span)
  | ({ type: 'range'; expr: PromqlNode; range: string; subquery: boolean } & Span)
  | ({ type: 'offset'; expr: PromqlNode } & Span);

type Selector = Extract<PromqlNode, { type: 'selector' }>;

const aggregations = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values', 'limitk', 'limit_ratio']);
const precedence: Record<string, number> = { or: 1, and: 2, unless: 2, '==': 3, '!=': 3, '<=': 3, '<': 3, '>=': 3, '>': 3, '+': 4, '-': 4, '*': 5, '/': 5, '%': 5, atan2: 5, '^': 6 };
export const comparisons = new Set(['==', '!=', '<=', '<', '>=', '>']);

interface Token {
  kind: 'ident' | 'number' | 'string' | 'duration' | 'op' | 'punct' | 'end';
  text: string;
  start: number;
  end: number;
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' && c !== '`' ? 2 : 1;
      if (j >= src.length) throw new PromqlSyntaxError('unterminated string', i);
      out.push({ kind: 'string', text: src.slice(i, j + 1), start: i, end: j + 1 });
      i = j + 1;
      continue;
    }
    if ((m = /^(\d+(ms|[smhdwy]))+(?![\w.])/.exec(rest))) {
      out.push({ kind: 'duration', text: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if ((m = /^(0x[0-9a-f]+|(\d+\.?\d*|\.\d+)(e[+-]?\d+)?)/i.exec(rest))) {
      out.push({ kind: 'number', text: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    // Grafana's `$__rate_interval` and friends read as names here; they are replaced before a query runs.
    if ((m = /^\$?[a-zA-Z_][a-zA-Z0-9_:]*/.exec(rest))) {
      out.push({ kind: 'ident', text: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if ((m = /^(==|!=|<=|>=|=~|!~|[<>=+\-*/%^@:])/.exec(rest))) {
      out.push({ kind: 'op', text: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
      continue;
    }
    if ('(){}[],'.includes(c)) {
      out.push({ kind: 'punct', text: c, start: i, end: i + 1 });
      i++;
      continue;
    }
    throw new PromqlSyntaxError(`unexpected character ${JSON.stringify(c)}`, i);
  }
  out.push({ kind: 'end', text: '', start: src.length, end: src.length });
  return out;
}

const durationUnits: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** `1h30m` -> 5400 (seconds). */
export function durationSeconds(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|[smhdwy])/g)) total += Number(m[1]) * durationUnits[m[2]];
  return total;
}

function unquote(text: string): string {
  const q = text[0];
  const body = text.slice(1, -1);
  if (q === '`') return body;
  return body.replace(/\\(.)/g, (_, ch: string) => ({ n: '\n', t: '\t', r: '\r' })[ch] ?? ch);
}

class Parser {
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  /** The next token is this punctuation, operator or keyword (keywords in any case: `BY`, `ON`). */
  private is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    if (t.kind === 'ident') return t.text.toLowerCase() === text;
    return (t.kind === 'punct' || t.kind === 'op') && t.text === text;
  }

  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text) throw new PromqlSyntaxError(`expected "${text}" but found ${t.kind === 'end' ? 'the end' : JSON.stringify(t.text)}`, t.start);
    return t;
  }

  parse(): PromqlNode {
    const node = this.expr(0);
    const t = this.peek();
    if (t.kind !== 'end') throw new PromqlSyntaxError(`unexpected ${JSON.stringify(t.text)}`, t.start);
    return node;
  }

  private binaryOp(): string | undefined {
    const t = this.peek();
    if (t.kind === 'op' && precedence[t.text] !== undefined) return t.text;
    if (t.kind === 'ident' && ['and', 'or', 'unless', 'atan2'].includes(t.text.toLowerCase())) return t.text.toLowerCase();
    return undefined;
  }

  private expr(minPrec: number): PromqlNode {
    let left = this.unary();
    for (;;) {
      const op = this.binaryOp();
      if (!op) break;
      const prec = precedence[op];
      if (prec < minPrec) break;
      this.next();
      let bool = false;
      if (this.is('bool')) {
        this.next();
        bool = true;
      }
      if (this.is('on') || this.is('ignoring')) {
        this.next();
        this.labelList();
      }
      if (this.is('group_left') || this.is('group_right')) {
        this.next();
        if (this.is('(')) this.labelList();
      }
      const right = this.expr(op === '^' ? prec : prec + 1);
      left = { type: 'binary', op, bool, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private unary(): PromqlNode {
    const t = this.peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      this.next();
      const expr = this.expr(precedence['^']);
      return { type: 'unary', op: t.text, expr, start: t.start, end: expr.end };
    }
    return this.postfix(this.primary());
  }

  private postfix(node: PromqlNode): PromqlNode {
    for (;;) {
      if (this.is('[')) {
        const open = this.next();
        let depth = 1;
        let j = this.pos;
        while (depth > 0 && this.tokens[j].kind !== 'end') {
          if (this.tokens[j].text === '[') depth++;
          if (this.tokens[j].text === ']') depth--;
          if (depth > 0) j++;
        }
        if (this.tokens[j].kind === 'end') throw new PromqlSyntaxError('unterminated range', open.start);
        const close = this.tokens[j];
        const range = this.src.slice(open.end, close.start).trim();
        this.pos = j + 1;
        node = { type: 'range', expr: node, range, subquery: range.includes(':'), start: node.start, end: close.end };
        continue;
      }
      if (this.is('offset')) {
        this.next();
        if (this.is('-')) this.next();
        const d = this.next();
        if (d.kind !== 'duration' && d.kind !== 'number') throw new PromqlSyntaxError('expected a duration after offset', d.start);
        node = { type: 'offset', expr: node, start: node.start, end: d.end };
        continue;
      }
      if (this.is('@')) {
        this.next();
        if (this.is('start') || this.is('end')) {
          this.next();
          this.expect('(');
          const close = this.expect(')');
          node = { type: 'offset', expr: node, start: node.start, end: close.end };
        } else {
          const n = this.next();
          node = { type: 'offset', expr: node, start: node.start, end: n.end };
        }
        continue;
      }
      return node;
    }
  }

  private labelList(): string[] {
    this.expect('(');
    const names: string[] = [];
    while (!this.is(')')) {
      const t = this.next();
      if (t.kind !== 'ident' && t.kind !== 'string') throw new PromqlSyntaxError(`expected a label name, found ${JSON.stringify(t.text)}`, t.start);
      names.push(t.kind === 'string' ? unquote(t.text) : t.text);
      if (this.is(',')) this.next();
      else break;
    }
    this.expect(')');
    return names;
  }

  private args(): { args: PromqlNode[]; end: number } {
    this.expect('(');
    const args: PromqlNode[] = [];
    while (!this.is(')')) {
      args.push(this.expr(0));
      if (this.is(',')) this.next();
      else break;
    }
    const close = this.expect(')');
    return { args, end: close.end };
  }

  private matchers(nameStart: number, name?: string): Selector {
    const open = this.expect('{');
    const matchers: Matcher[] = [];
    let metric = name;
    while (!this.is('}')) {
      const t = this.next();
      if (t.kind === 'string' && (this.is(',') || this.is('}'))) {
        // `{"metric.name"}`: a quoted metric name (Prometheus 3).
        metric = unquote(t.text);
      } else {
        if (t.kind !== 'ident' && t.kind !== 'string') throw new PromqlSyntaxError(`expected a label matcher, found ${JSON.stringify(t.text)}`, t.start);
        const op = this.next();
        if (!['=', '!=', '=~', '!~'].includes(op.text)) throw new PromqlSyntaxError(`expected =, !=, =~ or !~ after ${t.text}`, op.start);
        const v = this.next();
        if (v.kind !== 'string') throw new PromqlSyntaxError(`expected a quoted value for ${t.text}`, v.start);
        matchers.push({ name: t.kind === 'string' ? unquote(t.text) : t.text, op: op.text as Matcher['op'], value: unquote(v.text) });
      }
      if (this.is(',')) this.next();
      else break;
    }
    const close = this.expect('}');
    const nameMatcher = matchers.find((m) => m.name === '__name__' && m.op === '=');
    return { type: 'selector', name: metric ?? nameMatcher?.value, matchers, insertAt: close.start, braces: true, start: name !== undefined ? nameStart : open.start, end: close.end };
  }

  private primary(): PromqlNode {
    const t = this.peek();
    if (t.kind === 'number' || t.kind === 'duration') {
      this.next();
      const value = t.kind === 'duration' ? durationSeconds(t.text) : t.text.toLowerCase().startsWith('0x') ? parseInt(t.text, 16) : Number(t.text);
      return { type: 'number', value, start: t.start, end: t.end };
    }
    if (t.kind === 'string') {
      this.next();
      return { type: 'string', value: unquote(t.text), start: t.start, end: t.end };
    }
    if (t.text === '(' && t.kind === 'punct') {
      this.next();
      const expr = this.expr(0);
      const close = this.expect(')');
      return { type: 'paren', expr, start: t.start, end: close.end };
    }
    if (t.text === '{' && t.kind === 'punct') return this.matchers(t.start);
    if (t.kind === 'ident') {
      const lower = t.text.toLowerCase();
      if ((lower === 'inf' || lower === 'nan') && !this.is('(', 1) && !this.is('{', 1)) {
        this.next();
        return { type: 'number', value: lower === 'inf' ? Infinity : NaN, start: t.start, end: t.end };
      }
      if (aggregations.has(lower) && (this.is('(', 1) || this.is('by', 1) || this.is('without', 1))) {
        this.next();
        let without = false;
        let grouping: string[] | undefined;
        if (this.is('by') || this.is('without')) {
          without = this.next().text.toLowerCase() === 'without';
          grouping = this.labelList();
        }
        const { args, end } = this.args();
        let last = end;
        if (this.is('by') || this.is('without')) {
          without = this.next().text.toLowerCase() === 'without';
          grouping = this.labelList();
          last = this.tokens[this.pos - 1].end;
        }
        return { type: 'aggregate', op: lower, without, grouping, args, start: t.start, end: last };
      }
      if (this.is('(', 1)) {
        this.next();
        const { args, end } = this.args();
        return { type: 'call', func: t.text, args, start: t.start, end };
      }
      this.next();
      if (this.is('{')) return this.matchers(t.start, t.text);
      return { type: 'selector', name: t.text, matchers: [], insertAt: t.end, braces: false, start: t.start, end: t.end };
    }
    throw new PromqlSyntaxError(t.kind === 'end' ? 'unexpected end of expression' : `unexpected ${JSON.stringify(t.text)}`, t.start);
  }
}

export function parsePromql(text: string): PromqlNode {
  if (typeof text !== 'string' || !text.trim()) throw new PromqlSyntaxError('empty expression', 0);
  return new Parser(text, tokenize(text)).parse();
}

function children(n: PromqlNode): PromqlNode[] {
  switch (n.type) {
    case 'call':
    case 'aggregate':
      return n.args;
    case 'binary':
      return [n.left, n.right];
    case 'unary':
    case 'paren':
    case 'range':
    case 'offset':
      return [n.expr];
    default:
      return [];
  }
}

export function selectorsOf(n: PromqlNode): Selector[] {
  if (n.type === 'selector') return [n];
  return children(n).flatMap(selectorsOf);
}

/** The metric names an expression reads, in order of first use. */
export function metricNamesOf(text: string): string[] {
  return [...new Set(selectorsOf(parsePromql(text)).map((s) => s.name).filter((x): x is string => !!x))];
}

export function stripParens(n: PromqlNode): PromqlNode {
  while (n.type === 'paren') n = n.expr;
  return n;
}

function numberOf(n: PromqlNode): number | undefined {
  n = stripParens(n);
  if (n.type === 'number') return n.value;
  if (n.type === 'unary' && stripParens(n.expr).type === 'number') {
    const v = (stripParens(n.expr) as { value: number }).value;
    return n.op === '-' ? -v : v;
  }
  return undefined;
}

const flipped: Record<Comparison, Comparison> = { '>': '<', '<': '>', '>=': '<=', '<=': '>=', '==': '==', '!=': '!=' };

/**
 * `<expr> <op> <number>` (or `<number> <op> <expr>`, or either side of a top-level `and`/`unless`)
 * becomes the value expression and its threshold. Anything else (`absent(up)`, `a > b`) has none.
 */
export function splitThreshold(text: string): { valueExpression: string; threshold: Threshold } | undefined {
  let root: PromqlNode;
  try {
    root = stripParens(parsePromql(text));
  } catch {
    return undefined;
  }
  const walk = (n: PromqlNode): { valueExpression: string; threshold: Threshold } | undefined => {
    n = stripParens(n);
    if (n.type !== 'binary') return undefined;
    if ((n.op === 'and' || n.op === 'unless') && !n.bool) return walk(n.left);
    if (!comparisons.has(n.op) || n.bool) return undefined;
    const right = numberOf(n.right);
    const left = numberOf(n.left);
    if (right !== undefined && left === undefined) return { valueExpression: text.slice(n.left.start, n.left.end).trim(), threshold: { op: n.op as Comparison, value: right } };
    if (left !== undefined && right === undefined) return { valueExpression: text.slice(n.right.start, n.right.end).trim(), threshold: { op: flipped[n.op as Comparison], value: left } };
    return undefined;
  };
  return walk(root);
}

/**
 * Adds `label="value"` to every selector of the expression that has no matcher on that label yet, so
 * the expression looks at the alert's own instance, pod or service only.
 */
export function scopeExpression(text: string, scope: Labels): string {
  const root = parsePromql(text);
  const names = Object.keys(scope).filter((k) => /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k));
  if (!names.length) return text;
  const edits: { at: number; insert: string }[] = [];
  for (const s of selectorsOf(root)) {
    const add = names.filter((k) => !s.matchers.some((m) => m.name === k)).map((k) => `${k}=${JSON.stringify(scope[k])}`);
    if (!add.length) continue;
    if (s.braces) {
      // After `{` or a trailing comma nothing separates; after a matcher (or a quoted name) a comma does.
      const before = text.slice(0, s.insertAt).trimEnd();
      const sep = before.endsWith('{') || before.endsWith(',') ? '' : ',';
      edits.push({ at: s.insertAt, insert: `${sep}${add.join(',')}` });
    } else edits.push({ at: s.insertAt, insert: `{${add.join(',')}}` });
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.insert + out.slice(e.at);
  return out;
}
