// Resolved alerts stay in view for a while instead of vanishing. Alertmanager and Prometheus stop
// listing an alert once it resolves; a person who was looking at it should see that it resolved, and
// when. An alert that a source which answered no longer lists is kept as resolved (ended when it was
// first missed) for `keepMs`; a source that failed this time resolves nothing (its alerts are unknown,
// not over). Alerts the source itself reports as resolved pass through as they are.
import type { Alert } from '../core/model';

export class RecentAlerts {
  private readonly resolved = new Map<string, Alert>();
  private previous = new Map<string, Alert>();

  constructor(private readonly keepMs = 15 * 60_000) {}

  /**
   * The alerts to show: the current ones, plus those that vanished from a source that answered,
   * marked resolved. `failedSources` are the names of the sources that did not answer this time.
   */
  update(current: readonly Alert[], now: number, failedSources: ReadonlySet<string> = new Set()): Alert[] {
    // By id alone, as collectAlerts merges them: one alert seen through two sources is one alert.
    const live = new Map<string, Alert>();
    for (const a of current) live.set(a.id, a);
    for (const [key, a] of this.previous) {
      if (live.has(key) || this.resolved.has(key) || failedSources.has(a.sourceName)) continue;
      if (a.state === 'resolved') continue; // the source listed it as resolved and then let it go: it already said so
      this.resolved.set(key, { ...a, state: 'resolved', endsAt: a.endsAt !== undefined && a.endsAt <= now ? a.endsAt : now, silencedBy: [] });
    }
    for (const [key, a] of this.resolved) {
      // It fires again (a new start at the source): the live one wins; or it was kept long enough.
      if (live.has(key) || now - (a.endsAt ?? now) > this.keepMs) this.resolved.delete(key);
    }
    // A failed source's alerts are not in `current`; remember them from before so they are judged when it answers again.
    if (failedSources.size) for (const [key, a] of this.previous) if (failedSources.has(a.sourceName) && !live.has(key)) live.set(key, a);
    // `live` is ours alone and `current` was read above, so it becomes the memory of this answer as it is.
    this.previous = live;
    return this.resolved.size ? [...current, ...this.resolved.values()] : current.slice();
  }
}
