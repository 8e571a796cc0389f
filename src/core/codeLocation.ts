// How a code location reads: "src/a.ts:31" for one line, "src/a.ts:31-34" for several.
import type { CodeLocation } from './model';

export function formatLocation(loc: Pick<CodeLocation, 'path' | 'startLine' | 'endLine'>): string {
  return loc.endLine > loc.startLine ? `${loc.path}:${loc.startLine}-${loc.endLine}` : `${loc.path}:${loc.startLine}`;
}
