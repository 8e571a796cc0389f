// File selection for `npm run bench -- nab --files <sel>`: a 2-fold split to check that what was tuned
// on one half of the NAB files holds on the other.

/**
 * 'odd' keeps the 1st, 3rd, 5th... of the sorted relative paths, 'even' the 2nd, 4th...; any other
 * string keeps the paths containing it; undefined keeps all.
 */
export function selectNabFiles(sortedRelPaths: readonly string[], selection: string | undefined): string[] {
  if (selection === undefined) return [...sortedRelPaths];
  if (selection === 'odd') return sortedRelPaths.filter((_, i) => i % 2 === 0);
  if (selection === 'even') return sortedRelPaths.filter((_, i) => i % 2 === 1);
  const kept = sortedRelPaths.filter((p) => p.includes(selection));
  if (kept.length === 0) throw new Error(`--files ${JSON.stringify(selection)} matches no NAB data file`);
  return kept;
}
