// Parses a workspace's YAML (policy.yaml, actions.yaml, models.yaml) so that a hostile file is an error to
// report, never an exception or a hang: the text is size-capped, aliases are capped (an alias bomb
// expands a few hundred bytes into gigabytes), and keys that would reach Object.prototype
// ("__proto__", "constructor", "prototype") are refused with their line, instead of silently
// vanishing from the parsed maps.

// It lives in core because the policy, the runbook catalog and the model declarations (sources) all
// read workspace YAML, and sources may import only core.
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';

/** Object keys that would reach Object.prototype instead of the map (and so silently vanish). */
export const prototypeKeys: readonly string[] = ['__proto__', 'constructor', 'prototype'];

export function isPrototypeKey(key: string): boolean {
  return prototypeKeys.includes(key);
}

/** Policy and runbook files are a few kilobytes; anything past this is refused, not parsed. */
export const maxYamlBytes = 1024 * 1024;
/** Alias expansions allowed per document (the yaml library's counter; its default is 100). */
export const maxYamlAliases = 50;
/** Problems listed in one message; a pathological file can have thousands. */
const maxProblems = 5;

export type SafeYaml =
  | { ok: true; doc: Document; lines: LineCounter; value: unknown }
  | { ok: false; kind: 'syntax' | 'refused'; problems: string[] };

export function parseYamlSafely(text: string, source: string): SafeYaml {
  if (typeof text !== 'string') return { ok: false, kind: 'refused', problems: [`${source}: not text`] };
  if (text.length > maxYamlBytes) return { ok: false, kind: 'refused', problems: [`${source}: ${text.length} characters, more than the ${maxYamlBytes} a workspace file may have`] };
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return source;
    const pos = lines.linePos(offset);
    return `${source}:${pos.line}:${pos.col}`;
  };
  if (doc.errors.length > 0) {
    const problems = doc.errors.slice(0, maxProblems).map((e) => `${e.linePos?.[0] ? `${source}:${e.linePos[0].line}:${e.linePos[0].col}` : at(e.pos[0])}: ${e.message.split('\n')[0]}`);
    if (doc.errors.length > maxProblems) problems.push(`and ${doc.errors.length - maxProblems} more`);
    return { ok: false, kind: 'syntax', problems };
  }
  const problems: string[] = [];
  visit(doc, {
    Pair(_key, pair) {
      const k = pair.key;
      if (isScalar(k) && typeof k.value === 'string' && isPrototypeKey(k.value)) {
        problems.push(`${at(k.range?.[0])}: the key "${k.value}" is not allowed (it would name a JavaScript object's prototype, not data)`);
      }
    },
  });
  if (problems.length > 0) return { ok: false, kind: 'refused', problems };
  try {
    return { ok: true, doc, lines, value: doc.toJS({ maxAliasCount: maxYamlAliases }) };
  } catch (err) {
    const message = (err as Error)?.message ?? String(err);
    return { ok: false, kind: 'refused', problems: [`${source}: ${/alias/i.test(message) ? `its aliases expand past ${maxYamlAliases} copies (${message})` : message}`] };
  }
}
