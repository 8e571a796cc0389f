// Every tool result is bounded before it reaches a model, and a result that had to be cut says so in
// the result itself (which fields, how many items were kept of how many, what to narrow): a model that
// is not told would take a partial answer for the whole one.

export interface BoundedResult {
  /** JSON text of the (possibly cut) result. */
  text: string;
  truncated: boolean;
  /** What was cut, in words; also inside `text` under "_truncated". */
  notes: string[];
}

export const defaultResultChars = 12_000;
const maxStringChars = 2_000;

type Path = (string | number)[];

function arraysIn(v: unknown, path: Path, out: { path: Path; arr: unknown[] }[], depth = 0): void {
  if (depth > 12 || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    out.push({ path, arr: v });
    v.forEach((x, i) => arraysIn(x, [...path, i], out, depth + 1));
    return;
  }
  for (const [k, x] of Object.entries(v)) arraysIn(x, [...path, k], out, depth + 1);
}

function cutStrings(v: unknown, notes: Set<string>, depth = 0): unknown {
  if (typeof v === 'string') {
    if (v.length <= maxStringChars) return v;
    notes.add(`long texts cut to ${maxStringChars} characters`);
    return `${v.slice(0, maxStringChars)}…[cut: ${v.length - maxStringChars} more characters]`;
  }
  if (depth > 12 || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map((x) => cutStrings(x, notes, depth + 1));
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cutStrings(x, notes, depth + 1)]));
}

const label = (p: Path): string => p.filter((x) => typeof x === 'string').join('.') || 'items';

/** The value as JSON of at most `maxChars` characters; arrays are shortened (longest first) before anything else. */
export function boundResult(value: unknown, maxChars = defaultResultChars, hint = 'narrow the query (a shorter window, a filter, a lower limit)'): BoundedResult {
  const noteSet = new Set<string>();
  let work = cutStrings(value, noteSet);
  let text = JSON.stringify(work) ?? 'null';
  if (text.length <= maxChars && !noteSet.size) return { text, truncated: false, notes: [] };
  // Clone once so arrays can be shortened in place.
  work = JSON.parse(text);
  const originals = new Map<string, number>();
  const withNote = (): string => {
    const notes = [...noteSet, ...[...originals].map(([p, n]) => `${p}: kept ${arrayAt(work, p)?.length ?? 0} of ${n}`)];
    const note = `${notes.join('; ')}; ${hint}`;
    const wrapped = work !== null && typeof work === 'object' && !Array.isArray(work) ? { ...(work as object), _truncated: note } : { items: work, _truncated: note };
    return JSON.stringify(wrapped);
  };
  const arrayPaths = new Map<string, Path>();
  for (let guard = 0; guard < 200; guard++) {
    text = withNote();
    if (text.length <= maxChars) break;
    const arrays: { path: Path; arr: unknown[] }[] = [];
    arraysIn(work, [], arrays);
    const longest = arrays.filter((a) => a.arr.length > 1).sort((a, b) => JSON.stringify(b.arr).length - JSON.stringify(a.arr).length)[0];
    if (!longest) break;
    const key = label(longest.path);
    if (!originals.has(key)) originals.set(key, longest.arr.length);
    arrayPaths.set(key, longest.path);
    longest.arr.splice(Math.max(1, Math.floor(longest.arr.length / 2)));
  }
  if (text.length > maxChars) {
    const notice = `…[cut: the result is longer than ${maxChars} characters; ${hint}]`;
    text = text.slice(0, Math.max(0, maxChars - notice.length)) + notice;
  }
  const notes = [...noteSet, ...[...originals].map(([p, n]) => `${p}: kept ${arrayAt(work, p)?.length ?? 0} of ${n}`)];
  if (!notes.length) notes.push(`cut to ${maxChars} characters`);
  return { text, truncated: true, notes };

  function arrayAt(root: unknown, key: string): unknown[] | undefined {
    const p = arrayPaths.get(key);
    if (!p) return undefined;
    let cur: unknown = root;
    for (const seg of p) cur = (cur as Record<string | number, unknown>)?.[seg];
    return Array.isArray(cur) ? cur : undefined;
  }
}
