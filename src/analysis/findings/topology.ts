// Who calls whom, from the traces: which services are instrumented (they have server spans here), and
// which service answers a client call's peer address. A peer counts as an external dependency only
// when no instrumented service answers it: `peer.service` is set only when an agent is configured to,
// so addresses are resolved from the traces themselves (a client span whose child is a server span)
// and, failing that, from the address's first DNS label naming a known service.
import type { Span } from '../../core/model';
import { indexTraces, type TraceSpans } from './traceIndex';

/** The address a client span calls, by OpenTelemetry's attributes, most specific first. */
const LOCAL_OR_IP = /^(localhost|127\.\d+\.\d+\.\d+|::1|\d+\.\d+\.\d+\.\d+)$/i;

/** Every stage asks for the same spans' peers: each span's answer is kept as long as the span lives. */
const peerCache = new WeakMap<Span, string | null>();

export function peerAddressOf(span: Span): string | undefined {
  const cached = peerCache.get(span);
  if (cached !== undefined) return cached ?? undefined;
  const found = computePeerAddress(span);
  peerCache.set(span, found ?? null);
  return found;
}

function computePeerAddress(span: Span): string | undefined {
  const a = span.attributes ?? {};
  const peer = a['peer.service'];
  if (typeof peer === 'string' && peer) return peer;
  const addr = a['server.address'] ?? a['net.peer.name'];
  // A database or broker reached at an address with no name is better named by what it is.
  const system = a['db.system.name'] ?? a['db.system'] ?? a['messaging.system'];
  if (typeof addr === 'string' && addr && !(LOCAL_OR_IP.test(addr) && typeof system === 'string' && system)) return addr;
  const v = system;
  if (typeof v === 'string' && v) return v;
  const url = a['url.full'] ?? a['http.url'];
  if (typeof url === 'string') {
    try {
      return new URL(url).hostname || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export interface Topology {
  instrumented: Set<string>;
  /** peer address -> the instrumented service that answers it. */
  peerService: Map<string, string>;
  /** caller -> callee edges (instrumented callee names, or the peer address when external). */
  edges: { from: string; to: string; external: boolean }[];
  /** Resolves a client span's callee: an instrumented service, or the address as an external peer (local when on this host). */
  calleeOf(span: Span): { service: string; external: boolean; local?: boolean } | undefined;
}

function labelTokens(s: string): string[] {
  return s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

/** The known service a DNS name or address names by its first label ("identity.int.example" -> "identity-api"), when exactly one fits. */
export function serviceNamedByAddress(address: string, services: Iterable<string>): string | undefined {
  const host = address.toLowerCase().replace(/^[a-z]+:\/\//, '').split(/[/:]/)[0];
  if (!host || /^\d+(\.\d+){3}$/.test(host)) return undefined;
  const first = host.split('.')[0];
  const all = [...services];
  const exact = all.filter((s) => s.toLowerCase() === first || s.toLowerCase() === host);
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) return undefined;
  // "ledger-store-s14" names "ledger-store"; "identity" names "identity-api": the shared leading tokens.
  const ft = labelTokens(first);
  const scored = all
    .map((s) => {
      const st = labelTokens(s);
      let k = 0;
      while (k < st.length && k < ft.length && st[k] === ft[k]) k++;
      return { s, k, full: k === st.length || k === ft.length };
    })
    .filter((x) => x.k >= 1 && x.full);
  const best = Math.max(0, ...scored.map((x) => x.k));
  const top = scored.filter((x) => x.k === best);
  return top.length === 1 ? top[0].s : undefined;
}

/** `index` is indexTraces(spans) when the caller has it already. */
export function buildTopology(spans: readonly Span[], knownServices: Iterable<string> = [], index?: Map<string, TraceSpans>): Topology {
  const instrumented = new Set<string>();
  for (const s of spans) {
    if (!s || typeof s.spanId !== 'string') continue;
    if (s.kind === 'server' || s.kind === 'consumer' || !s.parentSpanId) instrumented.add(s.service);
  }
  const traces = index ?? indexTraces(spans);
  // Votes: a client span whose child is a server span of another service names the callee of its address.
  // Parent links are resolved inside each trace (traceIndex.ts).
  const votes = new Map<string, Map<string, number>>();
  // Server spans under another service's span: caller -> callees (added after the client calls' edges).
  const crossEdges = new Map<string, Set<string>>();
  for (const t of traces.values()) {
    for (let i = 0; i < t.spans.length; i++) {
      const s = t.spans[i];
      const p = t.parent[i];
      if (p < 0 || (s.kind !== 'server' && s.kind !== 'consumer')) continue;
      const parent = t.spans[p];
      if (parent.service !== s.service) {
        const to = crossEdges.get(parent.service);
        if (to) to.add(s.service);
        else crossEdges.set(parent.service, new Set([s.service]));
      }
      if (parent.kind !== 'client' && parent.kind !== 'producer') continue;
      const addr = peerAddressOf(parent);
      if (!addr) continue;
      let m = votes.get(addr);
      if (!m) votes.set(addr, (m = new Map()));
      m.set(s.service, (m.get(s.service) ?? 0) + 1);
    }
  }
  const peerService = new Map<string, string>();
  for (const [addr, m] of votes) {
    const [best] = [...m.entries()].sort((a, b) => b[1] - a[1]);
    if (best) peerService.set(addr, best[0]);
  }
  for (const name of instrumented) peerService.set(name, name);
  const candidates = new Set([...instrumented, ...knownServices]);
  const resolved = new Map<string, { service: string; external: boolean }>();
  const calleeOfAddress = (addr: string): { service: string; external: boolean } => {
    let r = resolved.get(addr);
    if (r) return r;
    const direct = peerService.get(addr);
    const named = direct ?? serviceNamedByAddress(addr, instrumented) ?? serviceNamedByAddress(addr, candidates);
    // A peer that is one of our known services (it writes logs or series of its own) is ours even when
    // it has no server spans; only a peer we know nothing of is outside.
    r = named ? { service: named, external: false } : { service: addr, external: true };
    resolved.set(addr, r);
    return r;
  };
  const edgeSet = new Map<string, { from: string; to: string; external: boolean }>();
  for (const s of spans) {
    if (!s || (s.kind !== 'client' && s.kind !== 'producer')) continue;
    const addr = peerAddressOf(s);
    if (!addr) continue;
    const callee = calleeOfAddress(addr);
    if (callee.service === s.service) continue;
    edgeSet.set(`${s.service}->${callee.service}`, { from: s.service, to: callee.service, external: callee.external });
  }
  for (const [from, tos] of crossEdges) for (const to of tos) edgeSet.set(`${from}->${to}`, { from, to, external: false });
  return {
    instrumented,
    peerService,
    edges: [...edgeSet.values()],
    calleeOf(span: Span) {
      if (span.kind !== 'client' && span.kind !== 'producer') return undefined;
      const addr = peerAddressOf(span);
      if (!addr) return undefined;
      const r = calleeOfAddress(addr);
      const raw = span.attributes?.['server.address'] ?? span.attributes?.['net.peer.name'];
      // A peer named by peer.service is a service of its own, wherever it runs; an unnamed one on the
      // loopback address is part of this host.
      return r.external && !span.attributes?.['peer.service'] && typeof raw === 'string' && /^(localhost|127\.\d+\.\d+\.\d+|::1)$/i.test(raw) ? { ...r, local: true } : r;
    },
  };
}
