// How the hypothesis writes times, durations and cause kinds in its sentences.
import type { CauseKind } from '../../core/model';

export function fmtTime(t: number): string {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

export function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function kindLabel(k: CauseKind): string {
  switch (k) {
    case 'code-change':
      return 'A code change';
    case 'config-change':
      return 'A configuration change';
    case 'dependency':
      return 'A downstream dependency';
    case 'capacity':
      return 'Capacity';
    case 'infrastructure':
      return 'Infrastructure';
    default:
      return 'Unknown cause';
  }
}
