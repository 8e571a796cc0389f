// What kind of failure an error message describes, from the words that libraries, runtimes and
// servers actually print (TLS stacks, resolvers, connection pools, databases, kernels, language
// runtimes). The class says where to look: a certificate, the resolver, a pool, a quota, a disk, a lock,
// or the code itself.
import type { ErrorClass } from '../../core/investigation';

const RULES: [ErrorClass, RegExp][] = [
  ['tls', /x509|certificate (has )?expired|certificate is not yet valid|cert_has_expired|certificate verify failed|pkix path|sslhandshake|ssl handshake|tls handshake|tls: |unable to verify the first certificate|self[- ]signed certificate|certificate_expired|bad certificate|unknown ca/i],
  ['dns', /nxdomain|servfail|no such host|getaddrinfo|enotfound|eai_again|name or service not known|unknownhostexception|could not resolve|temporary failure in name resolution|dns (lookup|resolution) failed|no address associated/i],
  ['disk', /no space left|enospc|disk full|out of disk|filesystem .*full|disk quota exceeded|read-only file system/i],
  ['memory', /out of ?memory|outofmemory|\boom\b|killed process|cannot allocate memory|memory limit|heap (space|exhausted)|exit code 137|oomkilled/i],
  ['quota', /quota|resource_exhausted|rate.?limit|too many requests|\b429\b|throttl|limit exceeded|exceeded .*limit|\b(rejecting|shedding|load shed)\b|in flight \(limit|over capacity|at capacity|too busy|overloaded/i],
  ['pool', /pool (is )?(exhausted|limit|timeout)|queuepool limit|connection is not available|too many (clients|connections)|max_connections|remaining connection slots|max connect timeout|connection pool|no (available|free) connection|could not obtain (a )?connection|acquire connection/i],
  ['lock', /deadlock|lock wait timeout|could not obtain lock|locknotavailable|lock timeout|waiting for .*lock|lock_timeout|canceling statement due to lock|table is locked|metadata lock/i],
  ['auth', /\b401\b|\b403\b|unauthori[sz]ed|forbidden|permission denied|access denied|invalid (token|credentials)|authentication failed/i],
  ['refused', /econnrefused|connection refused|connect: connection refused|could not connect to server/i],
  ['reset', /econnreset|connection reset|broken pipe|epipe|reset by peer|upstream connect error|disconnect\/reset|connection closed|lost connection|eof\b/i],
  ['timeout', /timed? ?out|timeout|deadline exceeded|deadline_exceeded|etimedout|context deadline/i],
  ['config', /invalid (config|configuration|value|setting)|not a (valid )?duration|parse error|failed to parse|unknown (option|key|setting)|misconfigur|missing (required )?(config|setting)|bad (config|value)/i],
  ['code', /typeerror|referenceerror|nullpointerexception|null pointer|nil pointer|nonetype|attributeerror|keyerror|indexerror|index out of (range|bounds)|undefined method|undefined is not|cannot read propert|zerodivision|division by zero|classcastexception|illegalargument|illegalstate|assertionerror|unwrap\(\)|panicked at|invalid memory address|segmentation fault|sigsegv|stack overflow|valueerror|arithmeticexception|numberformatexception/i],
  ['unavailable', /\b503\b|service unavailable|unavailable|no healthy upstream|no (primary|server|replica|owner)s? (is )?(available|accepting)|not ready|circuit (breaker )?open/i],
  ['crash', /panic|fatal|aborted|abort|core dumped|exited|crash|signal (6|9|11)|fassert/i],
];

/** The failure classes a message names, most specific first (a message can name several). */
export function errorClassesOf(text: string): ErrorClass[] {
  if (!text) return [];
  const sample = text.length > 2000 ? text.slice(0, 2000) : text;
  // Failing spans and error lines repeat the same few messages: each is classified once.
  const cached = classCache.get(sample);
  if (cached) return cached.slice();
  const out: ErrorClass[] = [];
  for (const [cls, re] of RULES) if (re.test(sample)) out.push(cls);
  if (classCache.size >= MAX_CACHED) classCache.clear();
  classCache.set(sample, out.slice());
  return out;
}

/** Bounded: a stream of distinct messages costs at most this many entries. */
const MAX_CACHED = 4096;
const classCache = new Map<string, ErrorClass[]>();

/** The single most specific class, or "other". */
export function errorClassOf(text: string): ErrorClass {
  return errorClassesOf(text)[0] ?? 'other';
}

/** Classes that point below the application's code: the network, the platform, a credential, a resource. */
export const infrastructureClasses: ReadonlySet<ErrorClass> = new Set(['tls', 'dns', 'disk', 'memory', 'refused', 'reset', 'unavailable']);
/** Classes that point at a resource running out. */
export const exhaustionClasses: ReadonlySet<ErrorClass> = new Set(['quota', 'pool', 'disk', 'memory', 'lock']);
