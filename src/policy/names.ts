// Names that decide a policy (environments, services, namespaces, tiers) are compared in one
// normal form, so "PROD", " prod " and "ｐｒｏｄ" are the same environment and a rule on "prod*"
// catches all of them. Names that no person would type (control characters, newlines, invisible
// or bidirectional format characters) are refused instead of normalised: they are how a hostile
// label hides from a rule.

/** Longest name accepted: a Kubernetes object name is at most 253 characters. */
export const maxNameLength = 253;

// C0 and C1 controls, DEL, line and paragraph separators, zero-width and bidi format characters.
const hiddenCharacters = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/;

/** The first control or invisible character in text, as "U+000A", or undefined. */
export function hiddenCharacterIn(text: string): string | undefined {
  const m = hiddenCharacters.exec(text);
  return m ? `U+${(m[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}` : undefined;
}

export type NameCheck = { ok: true; name: string } | { ok: false; problem: string };

/** The normal form of a name: NFKC, trimmed, inner whitespace collapsed to one space, lower case. */
export function checkName(raw: unknown, what: string): NameCheck {
  if (typeof raw !== 'string') return { ok: false, problem: `${what} is not text (got ${raw === null ? 'null' : typeof raw})` };
  const hidden = hiddenCharacterIn(raw);
  if (hidden) return { ok: false, problem: `${what} ${JSON.stringify(raw.slice(0, 80))} contains the control or invisible character ${hidden}` };
  const name = raw.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  if (name === '') return { ok: false, problem: `${what} is empty` };
  if (name.length > maxNameLength) return { ok: false, problem: `${what} is ${name.length} characters long, more than the ${maxNameLength} a name may have` };
  return { ok: true, name };
}

export class NameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NameError';
  }
}

/** checkName that throws NameError. */
export function normaliseName(raw: unknown, what: string): string {
  const c = checkName(raw, what);
  if (!c.ok) throw new NameError(`${c.problem}.`);
  return c.name;
}

// One list of prototype keys for every workspace file: it lives beside the YAML loader in core.
export { isPrototypeKey, prototypeKeys } from '../core/safeYaml';
