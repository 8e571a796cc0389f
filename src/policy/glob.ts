// Glob matching for rule fields: `*` is any run of characters, `?` one character. Nothing else
// is special, so service names with dots or brackets match literally.
//
// No regular expression: `*-*-*-prod` as a backtracking regex took seconds on 4,000 characters.
// The pattern is split at its stars; the first piece must be a prefix, the last a suffix, and each
// piece between is found at its leftmost place after the one before (leftmost is always safe,
// because a star can absorb whatever lies between). That is O(value length × pattern length),
// with no backtracking. Callers still cap both lengths (see names.ts and load.ts).

export interface GlobOptions {
  /** Compare in lower case (names that decide a policy are case-insensitive). */
  ignoreCase?: boolean;
}

function pieceAt(piece: string, value: string, at: number): boolean {
  if (at < 0 || at + piece.length > value.length) return false;
  for (let i = 0; i < piece.length; i++) {
    const p = piece.charCodeAt(i);
    if (p !== 63 /* ? */ && p !== value.charCodeAt(at + i)) return false;
  }
  return true;
}

function findPiece(piece: string, value: string, from: number, end: number): number {
  for (let at = from; at + piece.length <= end; at++) if (pieceAt(piece, value, at)) return at;
  return -1;
}

export function globMatch(glob: string, value: string, options: GlobOptions = {}): boolean {
  const g = options.ignoreCase ? glob.toLowerCase() : glob;
  const v = options.ignoreCase ? value.toLowerCase() : value;
  const pieces = g.split('*');
  if (pieces.length === 1) return g.length === v.length && pieceAt(g, v, 0);
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  if (first.length + last.length > v.length) return false;
  if (!pieceAt(first, v, 0) || !pieceAt(last, v, v.length - last.length)) return false;
  let from = first.length;
  const end = v.length - last.length;
  for (let k = 1; k < pieces.length - 1; k++) {
    const piece = pieces[k];
    if (piece === '') continue;
    const at = findPiece(piece, v, from, end);
    if (at < 0) return false;
    from = at + piece.length;
  }
  return true;
}

export function anyGlobMatches(globs: readonly string[], value: string | undefined, options: GlobOptions = {}): boolean {
  if (value === undefined) return false;
  return globs.some((g) => globMatch(g, value, options));
}
