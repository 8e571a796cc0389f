// Ranks the commits and deploys that came before an incident by how well they explain its errors:
// the files they touched against stack frames and code attributes, the services they belong to,
// how close to the onset they went out, and what kind of file they changed.

import type { Change, ChangedFile, CodeLocation, SuspectCommit } from '../core/model';

export interface StackFrame {
  /** Repo-relative when it could be matched to a changed file, else as printed (leading slashes removed). */
  path: string;
  line?: number;
  function?: string;
  /** Frames in dependencies (node_modules, site-packages, the runtime) explain little about our code. */
  library?: boolean;
}

export interface CodeAttribute {
  filepath: string;
  function?: string;
  lineno?: number;
}

export interface ErrorSignals {
  /** Innermost first, as a stack trace prints them (for Go and Java too). */
  stackFrames: StackFrame[];
  /** OpenTelemetry code.filepath / code.function / code.lineno of failing spans. */
  codeAttrs: CodeAttribute[];
  /** Services implicated by the signals, most implicated first. */
  services: string[];
}

export interface SuspectInput {
  changes: Change[];
  /** When the incident started (ms). Only changes that went out before it count. */
  onset: number;
  errorSignals: ErrorSignals;
  /** Path prefix -> service. Default: the first folder under services/, apps/, packages/ or src/ names it. */
  serviceMap?: Record<string, string>;
  /** Reference time for "recent" when the onset is unknown; default onset. */
  now?: number;
  /** Slack for the onset's own resolution: a deploy this long after the estimated onset still counts. Default 60 s. */
  onsetSlackMs?: number;
  /** Most suspects returned; default 10. */
  limit?: number;
  /** Services the telemetry knows of: a path or a commit subject naming one maps the change to it. */
  knownServices?: string[];
}

/** A suspect with the strength of each kind of evidence, so a caller can tell a code cause from a config cause. */
export interface RankedSuspect extends SuspectCommit {
  strength: {
    /** 0..1: stack frames / code attributes point into its changed lines (1) or files (0.65) or folders (0.3). */
    code: number;
    /** 1 when it touches the most implicated service, 0.6 another implicated one, else 0. */
    service: number;
    /** 0..1: exp(-age / 2 h), times 0.6 when it was never deployed. */
    recency: number;
    /** 0..1: deployed within 30 min before the onset (1 = at the onset). */
    close: number;
    /** Mostly configuration files. */
    config: boolean;
    deployed: boolean;
    /** Services its files belong to. */
    services: string[];
  };
}

/** How fast the weight of a deploy fades with its distance from the onset. */
const RECENCY_TAU_MS = 2 * 3600_000;
/** A deploy this close before the onset counts as "just before" (linearly less up to this age). */
const CLOSE_DEPLOY_MS = 30 * 60_000;
const CONFIG_EXT = /\.(json|ya?ml|env|toml|properties|ini|conf|cfg)$/i;
const DOC_OR_TEST = /(^|\/)(docs?|test|tests|__tests__|spec|e2e|fixtures?)\/|\.(md|rst|txt|adoc)$|[._-](test|spec)\.[a-z]+$|(^|\/)(CHANGELOG|LICENSE|README)/i;
const LIBRARY_PATH = /(^|\/)(node_modules|site-packages|dist-packages|vendor|\.cargo|go\/pkg\/mod)\/|^node:|^internal\/|^<|^(java|javax|jdk|sun|kotlin|scala)\//;

export function isConfigPath(p: string): boolean {
  return CONFIG_EXT.test(p) || /(^|\/)config\//i.test(p) || /(^|\/)\.env(\.|$)/.test(p);
}

export function isDocOrTestPath(p: string): boolean {
  return DOC_OR_TEST.test(p);
}

/** The service a repo-relative path belongs to, by the map's longest prefix, else by folder convention. */
function nameTokens(s: string): string[] {
  return s.toLowerCase().split(/[^a-z0-9]+/).filter((t) => t.length >= 2);
}

const GENERIC_SEGMENTS = new Set(['src', 'lib', 'app', 'apps', 'pkg', 'cmd', 'internal', 'main', 'java', 'com', 'org', 'test', 'tests', 'config', 'configs', 'deploy', 'services', 'packages', 'modules', 'docs', 'scripts', 'common', 'shared', 'core', 'util', 'utils', 'resources', 'migrations']);

/**
 * The known service a path (or a commit subject's "svc: ..." prefix) names, when it names exactly one:
 * a segment or file name equal to a service's name, else a distinctive segment that is one of a single
 * service's name tokens ("gateway/src/..." for "blob-gateway").
 */
export function serviceNamedBy(text: string, knownServices: readonly string[]): string | undefined {
  if (!knownServices.length || !text) return undefined;
  const lower = text.toLowerCase();
  const segments = lower.split(/[/\\]/).flatMap((seg) => [seg, seg.replace(/\.[a-z0-9]+$/, '')]);
  const exact = knownServices.filter((svc) => segments.includes(svc.toLowerCase()));
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) return exact.sort((a, b) => b.length - a.length)[0];
  const contains = knownServices.filter((svc) => svc.length >= 4 && new RegExp(`(^|[^a-z0-9])${svc.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z0-9]|$)`).test(lower));
  if (contains.length === 1) return contains[0];
  const first = segments.find((seg) => seg && !GENERIC_SEGMENTS.has(seg));
  if (!first) return undefined;
  const ft = nameTokens(first);
  const matches = knownServices.filter((svc) => {
    const st = nameTokens(svc);
    return ft.some((t) => st.includes(t) && !GENERIC_SEGMENTS.has(t));
  });
  return matches.length === 1 ? matches[0] : undefined;
}

export function serviceOfPath(p: string, serviceMap?: Record<string, string>, knownServices?: readonly string[]): string | undefined {
  if (serviceMap) {
    let best: string | undefined;
    let bestLen = -1;
    for (const [prefix, service] of Object.entries(serviceMap)) {
      if (p.startsWith(prefix) && prefix.length > bestLen) {
        best = service;
        bestLen = prefix.length;
      }
    }
    if (best !== undefined) return best;
  }
  const m = /^(?:services|apps|packages|src)\/([^/]+)\//.exec(p);
  // src/<file>.ts names no service; only a folder does.
  if (m) return knownServices?.length ? (knownServices.find((s) => s === m[1]) ?? serviceNamedBy(m[1], knownServices) ?? m[1]) : m[1];
  return knownServices?.length ? serviceNamedBy(p, knownServices) : undefined;
}

function stripFramePath(p: string): string {
  let s = p.trim().replace(/^file:\/\//, '').replace(/\\/g, '/');
  s = s.replace(/^[A-Za-z]:\//, '/');
  s = s.replace(/^webpack:\/\/[^/]*\//, '').replace(/^\.\//, '');
  return s;
}

/**
 * Maps a path printed in a stack trace (often absolute, from another machine) to the repo-relative path
 * it most likely is: the known path sharing the longest suffix (by whole path segments), if any.
 */
export function normalizeFramePath(framePath: string, knownPaths: Iterable<string>): string {
  const s = stripFramePath(framePath);
  const segs = s.split('/').filter(Boolean);
  let best: string | undefined;
  let bestShared = 0;
  for (const known of knownPaths) {
    const k = known.split('/');
    let shared = 0;
    while (shared < k.length && shared < segs.length && k[k.length - 1 - shared] === segs[segs.length - 1 - shared]) shared++;
    // The file name must match, and a bare file name only when nothing better exists.
    if (shared > bestShared) {
      best = known;
      bestShared = shared;
    }
  }
  if (best) return best;
  return s.replace(/^\/+/, '');
}

const NODE_FRAME = /^\s*at (?:(?:async )?(.+?) \()?((?:node:|file:\/\/|[A-Za-z]:)?[^():]+?):(\d+)(?::(\d+))?\)?\s*$/;
const PY_FRAME = /^\s*File "([^"]+)", line (\d+)(?:, in (.+?))?\s*$/;
const JAVA_FRAME = /^\s*at ((?:[\w$]+\.)+)([\w$<>]+)\(([\w$-]+\.(?:java|kt|scala|groovy)):(\d+)\)\s*$/;
const GO_FILE = /^\s+((?:[A-Za-z]:)?\/?[^\s:]+\.go):(\d+)(?: \+0x[0-9a-f]+)?\s*$/;
const GO_FUNC = /^([\w./*()-]+)\(.*\)\s*$/;

/**
 * Frames from Node/JS, Python, Java/Kotlin and Go stack traces in free text, innermost first.
 * Python prints the innermost frame last, so its frames are reversed. Paths are normalised against
 * `knownPaths` (e.g. the changed files) when given.
 */
export function extractStackFrames(text: string, knownPaths: Iterable<string> = []): StackFrame[] {
  const known = [...knownPaths];
  const lines = String(text).split(/\r?\n/);
  const frames: StackFrame[] = [];
  let python: StackFrame[] = [];
  const flushPython = (): void => {
    frames.push(...python.reverse());
    python = [];
  };
  const make = (rawPath: string, line: number | undefined, fn: string | undefined): StackFrame => {
    const cleaned = stripFramePath(rawPath);
    const library = LIBRARY_PATH.test(cleaned) || /\/lib\/python\d/.test(cleaned) || /\/usr\/(local\/)?go\/src\//.test(cleaned);
    return {
      path: library ? cleaned.replace(/^\/+/, '') : normalizeFramePath(cleaned, known),
      ...(line !== undefined && Number.isFinite(line) ? { line } : {}),
      ...(fn ? { function: fn } : {}),
      ...(library ? { library: true } : {}),
    };
  };
  for (let i = 0; i < lines.length && frames.length + python.length < 500; i++) {
    const line = lines[i];
    if (line.length > 2000) continue; // not a frame; don't run regexes over megabyte lines
    const py = PY_FRAME.exec(line);
    if (py) {
      python.push(make(py[1], Number(py[2]), py[3]));
      continue;
    }
    // Python prints each frame's source line under it: indented, not a frame of another language.
    if (python.length && /^\s{2,}\S/.test(line) && !/^\s*at /.test(line)) continue;
    if (python.length) flushPython();
    const java = JAVA_FRAME.exec(line);
    if (java) {
      const qualified = java[1].slice(0, -1); // "com.acme.shop.Cart"
      const parts = qualified.split('.');
      parts.pop(); // class name; the file name stands in for it
      const pkgPath = parts.join('/');
      const fn = `${qualified}.${java[2]}`;
      frames.push(make(pkgPath ? `${pkgPath}/${java[3]}` : java[3], Number(java[4]), fn));
      continue;
    }
    const node = NODE_FRAME.exec(line);
    if (node) {
      frames.push(make(node[2], Number(node[3]), node[1]));
      continue;
    }
    const go = GO_FILE.exec(line);
    if (go) {
      const prev = i > 0 ? GO_FUNC.exec(lines[i - 1].trim()) : null;
      frames.push(make(go[1], Number(go[2]), prev ? prev[1] : undefined));
    }
  }
  if (python.length) flushPython();
  return frames;
}

interface FileMatch {
  strength: number;
  reason: string;
  line?: number;
}

function hunkEnd(h: { newStart: number; newLines: number }): number {
  return h.newStart + Math.max(h.newLines, 1) - 1;
}

function distanceToHunks(file: ChangedFile, line: number): { distance: number; hunk?: NonNullable<ChangedFile['hunks']>[number] } {
  let best = { distance: Infinity } as { distance: number; hunk?: NonNullable<ChangedFile['hunks']>[number] };
  for (const h of file.hunks ?? []) {
    const d = line < h.newStart ? h.newStart - line : line > hunkEnd(h) ? line - hunkEnd(h) : 0;
    if (d < best.distance) best = { distance: d, hunk: h };
  }
  return best;
}

function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

/** How strongly one changed file is pointed at by the frames and code attributes. */
function matchFile(file: ChangedFile, frames: StackFrame[], attrs: CodeAttribute[]): FileMatch {
  let best: FileMatch = { strength: 0, reason: '' };
  const consider = (p: string, line: number | undefined, rankWeight: number, what: string): void => {
    let strength = 0;
    let reason = '';
    if (p === file.path || (p.length > 3 && file.path.endsWith('/' + p))) {
      strength = 0.65;
      reason = `${what} is in ${file.path}`;
      if (line !== undefined && file.hunks && file.hunks.length) {
        const { distance } = distanceToHunks(file, line);
        if (distance === 0) {
          strength = 1;
          reason = `${what} at ${file.path}:${line} is inside a line this commit changed`;
        } else if (distance <= 5) {
          strength = 0.9;
          reason = `${what} at ${file.path}:${line} is ${distance} line(s) from a change of this commit`;
        } else if (distance <= 30) {
          strength = 0.78;
          reason = `${what} at ${file.path}:${line} is near (${distance} lines) a change of this commit`;
        }
      }
    } else if (dirOf(p) && dirOf(p) === dirOf(file.path)) {
      strength = 0.3;
      reason = `${what} is in the same folder (${dirOf(p)}/)`;
    }
    strength *= rankWeight;
    if (strength > best.strength) best = { strength, reason, line };
  };
  frames.forEach((f, i) => {
    if (f.library) return;
    consider(f.path, f.line, Math.max(0.5, Math.pow(0.75, i)), i === 0 ? 'the innermost stack frame' : `stack frame #${i + 1}${f.function ? ` (${f.function})` : ''}`);
  });
  for (const a of attrs) consider(stripFramePath(a.filepath).replace(/^\/+/, ''), a.lineno, 0.95, `a failing span's code.filepath${a.function ? ` (${a.function})` : ''}`);
  return best;
}

/** The changed lines to show for a suspect: the hunk nearest a frame line, else the largest hunk of the most relevant file. */
function locate(change: Change, matched: { file: ChangedFile; line?: number } | undefined, relevantFile: ChangedFile | undefined): CodeLocation | undefined {
  if (matched) {
    const { file, line } = matched;
    if (line !== undefined && file.hunks?.length) {
      const { hunk } = distanceToHunks(file, line);
      if (hunk) return { path: file.path, startLine: hunk.newStart, endLine: hunkEnd(hunk) };
    }
    if (file.hunks?.length) return largestHunk(file);
    if (line !== undefined) return { path: file.path, startLine: line, endLine: line };
  }
  const file = relevantFile ?? change.files[0];
  if (!file || file.status === 'D') return undefined;
  return largestHunk(file) ?? { path: file.path, startLine: 1, endLine: 1 };
}

function largestHunk(file: ChangedFile): CodeLocation | undefined {
  let best: NonNullable<ChangedFile['hunks']>[number] | undefined;
  for (const h of file.hunks ?? []) if (!best || h.newLines > best.newLines) best = h;
  return best ? { path: file.path, startLine: best.newStart, endLine: hunkEnd(best) } : undefined;
}

function formatAge(ms: number): string {
  const min = Math.round(ms / 60_000);
  if (min < 90) return `${min} min`;
  return `${(ms / 3600_000).toFixed(1)} h`;
}

/** Ranks changes that went out before the onset; highest score first, each with its reasons and location. */
export function rankSuspectChanges(input: SuspectInput): RankedSuspect[] {
  const { changes, errorSignals } = input;
  const onset = Number.isFinite(input.onset) ? input.onset : (input.now ?? Date.now());
  const slack = input.onsetSlackMs ?? 60_000;
  const limit = input.limit ?? 10;
  const services = errorSignals.services.filter(Boolean);
  const frames = errorSignals.stackFrames.filter((f) => f && typeof f.path === 'string');
  const attrs = errorSignals.codeAttrs.filter((a) => a && typeof a.filepath === 'string');
  const hasCodeSignals = frames.some((f) => !f.library) || attrs.length > 0;
  const scored: RankedSuspect[] = [];

  for (const change of changes) {
    if (!change || !Array.isArray(change.files)) continue;
    const wentOut = change.deploy?.time ?? change.time;
    if (!Number.isFinite(wentOut) || wentOut > onset + slack) continue;
    const reasons: string[] = [];
    const age = Math.max(0, onset - wentOut);

    // Recency: a deploy shortly before the onset is the classic cause; an undeployed commit is weaker evidence.
    let recency = Math.exp(-age / RECENCY_TAU_MS);
    if (change.deploy) reasons.push(`deployed ${formatAge(age)} before the onset (${change.deploy.ref})`);
    else {
      recency *= 0.6;
      reasons.push(`committed ${formatAge(age)} before the onset`);
    }

    let codeMatch = 0;
    let matched: { file: ChangedFile; line?: number } | undefined;
    let matchReason = '';
    let serviceMatch = 0;
    let relevant: ChangedFile | undefined;
    let relevantScore = -1;
    let configFiles = 0;
    let substantiveFiles = 0;
    let linesChanged = 0;
    const touchedServices = new Set<string>();
    for (const file of change.files) {
      const m = matchFile(file, frames, attrs);
      if (m.strength > codeMatch) {
        codeMatch = m.strength;
        matched = { file, line: m.line };
        matchReason = m.reason;
      }
      const svc = serviceOfPath(file.path, input.serviceMap, input.knownServices);
      if (svc) touchedServices.add(svc);
      const svcRank = svc ? services.indexOf(svc) : -1;
      const svcScore = svcRank === 0 ? 1 : svcRank > 0 ? 0.6 : 0;
      serviceMatch = Math.max(serviceMatch, svcScore);
      const docTest = isDocOrTestPath(file.path);
      const config = isConfigPath(file.path);
      if (config) configFiles++;
      if (!docTest) substantiveFiles++;
      linesChanged += (file.additions || 0) + (file.deletions || 0);
      const fileRelevance = svcScore * 2 + (docTest ? -1 : 0) + (config ? 0.3 : 0) + Math.log1p(file.additions + file.deletions) / 10;
      if (fileRelevance > relevantScore && file.status !== 'D') {
        relevant = file;
        relevantScore = fileRelevance;
      }
    }
    if (matchReason) reasons.unshift(matchReason);
    if (serviceMatch > 0) reasons.push(`touches ${[...touchedServices].filter((s) => services.includes(s)).join(', ')}, implicated by the signals`);
    // "gateway: include the request id" names its service when no path does.
    if (touchedServices.size === 0 && input.knownServices?.length) {
      const subject = /^([\w.-]+)(\([\w.-]+\))?:/.exec(change.message ?? '');
      const named = subject ? serviceNamedBy(subject[1], input.knownServices) : undefined;
      if (named) {
        touchedServices.add(named);
        const rank = services.indexOf(named);
        serviceMatch = Math.max(serviceMatch, rank === 0 ? 1 : rank > 0 ? 0.6 : 0);
      }
    }
    const isConfig = change.files.length > 0 && configFiles > 0 && configFiles >= substantiveFiles / 2;
    if (isConfig) reasons.push(`changes configuration (${change.files.filter((f) => isConfigPath(f.path)).map((f) => f.path).slice(0, 3).join(', ')})`);
    const onlyDocs = change.files.length > 0 && substantiveFiles === 0;
    if (onlyDocs) reasons.push('only docs or tests changed');
    const size = Math.min(1, Math.log1p(linesChanged) / Math.log(500));

    // Without frames, a config change in an implicated service is the best lead there is.
    const configWeight = isConfig && serviceMatch > 0 ? (hasCodeSignals ? 0.1 : 0.25) * recency : 0;
    // A deploy minutes before the onset is the classic trigger, much more than one hours before.
    const close = change.deploy ? Math.max(0, 1 - age / CLOSE_DEPLOY_MS) : 0;
    if (close > 0.5) reasons.push('went out just before the onset');
    let score = 0.45 * codeMatch + 0.2 * serviceMatch + 0.1 * recency + 0.15 * close + configWeight + 0.05 * size;
    if (onlyDocs) score *= 0.2;
    if (serviceMatch === 0 && codeMatch === 0) score *= 0.5;
    score = Math.max(0, Math.min(1, score));

    const location = locate(change, matched && codeMatch > 0 ? matched : undefined, relevant);
    scored.push({
      sha: change.sha,
      author: change.author,
      time: wentOut,
      message: change.message.split('\n')[0].slice(0, 200),
      score: Math.round(score * 1000) / 1000,
      files: change.files.map((f) => f.path),
      reasons,
      ...(location ? { location } : {}),
      strength: { code: codeMatch, service: serviceMatch, recency, close, config: isConfig, deployed: !!change.deploy, services: [...touchedServices] },
    });
  }
  scored.sort((a, b) => b.score - a.score || b.time - a.time);
  return scored.slice(0, limit);
}
