// Choosing settings by a score, and leave-one-out over groups (systems, families): the settings
// for each held-out group are chosen on the others only, so its score is out of sample.

/**
 * One setting and the values it may take. values[0] is the plain value (the rule off), which a
 * setting must beat by more than minGain to be kept; `rich` is its value in the all-on start.
 */
export interface SettingChoice<S> {
  name: keyof S & string;
  values: readonly unknown[];
  rich?: unknown;
}

export interface SelectionOptions {
  /** A change must raise the score by more than this to be taken, and a rule must earn more than this to stay. */
  minGain: number;
  /** Extra starting points drawn from this seed (besides the plain and all-on starts). */
  randomStarts?: number;
  seed?: number;
  /** Upper bound on climbing steps per start. */
  maxSteps?: number;
}

type Loose = Record<string, unknown>;

function withValue<S extends object>(settings: S, name: string, value: unknown): S {
  return { ...settings, [name]: value } as S;
}

/** A small deterministic PRNG (LCG), so the starts are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Climbs from one start: take the single change (one setting to one other value) that raises the
 * score most, while it gains more than minGain; then reset to plain every setting whose value
 * does not earn more than minGain; repeat until nothing changes.
 */
function climb<S extends object>(start: S, space: readonly SettingChoice<S>[], score: (settings: S) => number, opts: SelectionOptions): { settings: S; score: number } {
  let current = start;
  let currentScore = score(current);
  const maxSteps = opts.maxSteps ?? 100;
  for (let step = 0; step < maxSteps; step++) {
    let best: S | undefined;
    let bestScore = -Infinity;
    for (const choice of space) {
      for (const value of choice.values) {
        if (Object.is(value, (current as Loose)[choice.name])) continue;
        const candidate = withValue(current, choice.name, value);
        const s = score(candidate);
        if (s > bestScore) { best = candidate; bestScore = s; }
      }
    }
    if (best && bestScore > currentScore + opts.minGain) { current = best; currentScore = bestScore; continue; }
    let pruned = false;
    for (const choice of space) {
      const plain = choice.values[0];
      if (Object.is((current as Loose)[choice.name], plain)) continue;
      const candidate = withValue(current, choice.name, plain);
      const s = score(candidate);
      if (s >= currentScore - opts.minGain) { current = candidate; currentScore = s; pruned = true; }
    }
    if (!pruned) break;
  }
  return { settings: current, score: currentScore };
}

/**
 * The settings that score best, found by climbing from the plain settings (every rule off), from
 * the all-on settings, and from seeded random starts. A later start must beat an earlier one by
 * more than minGain, so the result is deterministic and no rule is kept that does not earn it.
 */
export function chooseSettings<S extends object>(base: S, space: readonly SettingChoice<S>[], score: (settings: S) => number, opts: SelectionOptions): { settings: S; score: number } {
  const plain = { ...base };
  const rich = { ...base };
  for (const choice of space) {
    (plain as Loose)[choice.name] = choice.values[0];
    (rich as Loose)[choice.name] = choice.rich ?? choice.values[choice.values.length - 1];
  }
  const starts: S[] = [plain, rich];
  const random = lcg(opts.seed ?? 1);
  for (let k = 0; k < (opts.randomStarts ?? 0); k++) {
    const start = { ...base };
    for (const choice of space) (start as Loose)[choice.name] = choice.values[Math.floor(random() * choice.values.length)];
    starts.push(start);
  }
  // A later start wins only by more than minGain, so the plain start's answer is the default.
  let best: { settings: S; score: number } | undefined;
  for (const start of starts) {
    const result = climb(start, space, score, opts);
    if (!best || result.score > best.score + opts.minGain) best = result;
  }
  return best!;
}

export interface LeaveOneOutResult<S> {
  /** Settings chosen on all groups, and each group's score with them (in-sample). */
  inSample: { settings: S; scores: Record<string, number>; mean: number };
  /** Per held-out group: the settings chosen on the others, and its score with them (out of sample). */
  heldOut: Record<string, { settings: S; score: number }>;
  heldOutMean: number;
}

/**
 * Leave-one-out: for each group, settings are chosen by the mean score of the other groups and
 * the group is scored with them. `groupScore(settings, group)` drives the choice (the caller
 * should cache it); `reportScore`, by default the same, gives the figures reported per group.
 */
export function leaveOneOut<S extends object>(
  groups: readonly string[], base: S, space: readonly SettingChoice<S>[],
  groupScore: (settings: S, group: string) => number, opts: SelectionOptions,
  reportScore: (settings: S, group: string) => number = groupScore,
): LeaveOneOutResult<S> {
  const meanOver = (settings: S, members: readonly string[]): number => members.reduce((a, g) => a + groupScore(settings, g), 0) / members.length;
  const all = chooseSettings(base, space, (s) => meanOver(s, groups), opts);
  const scores: Record<string, number> = {};
  for (const g of groups) scores[g] = reportScore(all.settings, g);
  const heldOut: Record<string, { settings: S; score: number }> = {};
  for (const g of groups) {
    const others = groups.filter((o) => o !== g);
    const chosen = others.length ? chooseSettings(base, space, (s) => meanOver(s, others), opts).settings : all.settings;
    heldOut[g] = { settings: chosen, score: reportScore(chosen, g) };
  }
  const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
  return { inSample: { settings: all.settings, scores, mean: mean(groups.map((g) => scores[g])) }, heldOut, heldOutMean: mean(groups.map((g) => heldOut[g].score)) };
}
