// Checks shared by the receivers that listen on this machine (the OTLP receiver, the Alertmanager
// webhook). A web page in the user's browser can send requests to 127.0.0.1: directly (a "simple"
// cross-site POST needs no CORS preflight) or through DNS rebinding, where evil.example resolves to
// 127.0.0.1 and the page's requests carry `Host: evil.example`. Local exporters and Alertmanager
// send neither a foreign Host nor an Origin, so both are refused.

import type { IncomingHttpHeaders } from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';

/** Why the Host header is not this receiver's address (loopback names, the bound host, with the port), or undefined. */
export function hostHeaderProblem(hostHeader: string | undefined, boundHost: string, port: number): string | undefined {
  if (!hostHeader) return 'the request has no Host header';
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d+))?$/.exec(hostHeader.trim());
  if (!m) return `Host "${hostHeader}" is not a host and port`;
  const name = m[1].toLowerCase();
  const bare = name.startsWith('[') ? name.slice(1, -1) : name;
  if (Number(m[2] ?? 80) !== port) return `Host "${hostHeader}" names another port than ${port}`;
  const bound = boundHost.toLowerCase().replace(/^\[|\]$/g, '');
  if (bare === '127.0.0.1' || bare === 'localhost' || bare === '::1' || bare === bound) return undefined;
  // Bound to every interface: an address literal cannot be rebound, and the machine's own name is ours.
  if ((bound === '0.0.0.0' || bound === '::') && (net.isIP(bare) !== 0 || bare === os.hostname().toLowerCase())) return undefined;
  return `Host "${hostHeader}" is not this receiver's address (a web page reaching it through DNS rebinding?)`;
}

/** Why the request looks like it comes from a web page (an Origin, or Sec-Fetch-Site naming another site), or undefined. */
export function browserRequestProblem(headers: IncomingHttpHeaders): string | undefined {
  const origin = headers.origin;
  if (origin !== undefined) return `requests from web pages (Origin "${String(origin).slice(0, 200)}") are refused: this receiver is for local clients`;
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'none') return `requests from web pages (Sec-Fetch-Site "${String(site).slice(0, 40)}") are refused: this receiver is for local clients`;
  return undefined;
}

/** The media type of a Content-Type header, lowercased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}
