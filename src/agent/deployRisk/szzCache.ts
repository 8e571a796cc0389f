// SZZ results kept between sessions: which commits each bug-fixing commit's changed lines came from.
// A fix's blame never changes, so a fix is blamed once, and later assessments only blame new fixes.
// A small JSON file in the caller's folder (the extension's storage), bounded, oldest entries first out.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SzzCache } from '../../analysis/changeRisk/szz';

const FILE = 'szz-cache.json';

export class FileSzzCache implements SzzCache {
  private readonly file: string;
  private entries: Map<string, string[]> | undefined;
  private dirty = false;

  constructor(
    dir: string,
    private readonly maxEntries = 20_000,
  ) {
    this.file = path.join(dir, FILE);
  }

  private load(): Map<string, string[]> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    try {
      const stat = fs.statSync(this.file);
      if (!stat.isFile() || stat.size > 32 * 1024 * 1024) return this.entries;
      const parsed = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { fixes?: Record<string, unknown> };
      for (const [fix, shas] of Object.entries(parsed.fixes ?? {})) {
        if (/^[0-9a-f]{40,64}$/.test(fix) && Array.isArray(shas)) this.entries.set(fix, shas.filter((s): s is string => typeof s === 'string' && /^[0-9a-f]{40,64}$/.test(s)));
      }
    } catch {
      // Missing or unreadable: every fix is blamed again, and the file is rewritten on save.
    }
    return this.entries;
  }

  get(fixSha: string): readonly string[] | undefined {
    return this.load().get(fixSha);
  }

  set(fixSha: string, introducing: readonly string[]): void {
    const m = this.load();
    m.delete(fixSha);
    m.set(fixSha, [...introducing].slice(0, 200));
    while (m.size > this.maxEntries) m.delete(m.keys().next().value as string);
    this.dirty = true;
  }

  /** Writes what was added (atomically: a temporary file renamed over the old one). */
  save(): void {
    if (!this.dirty || !this.entries) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ version: 1, fixes: Object.fromEntries(this.entries) }));
    fs.renameSync(tmp, this.file);
    this.dirty = false;
  }
}
