// Glob matching for rule fields: `*` is any run of characters, `?` one character. Nothing else
// is special, so service names with dots or brackets match literally.

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

export function globMatch(glob: string, value: string): boolean {
  return globToRegExp(glob).test(value);
}

export function anyGlobMatches(globs: readonly string[], value: string | undefined): boolean {
  if (value === undefined) return false;
  return globs.some((g) => globMatch(g, value));
}
