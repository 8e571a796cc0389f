// What an Argo CD application runs: its synced revision, from Argo CD's REST API
// (GET /api/v1/applications/{name}, a v1alpha1.Application; status.sync.revision, or
// status.sync.revisions for a multi-source application, and status.history for when it went out).
import { SourceError } from '../core/errors';
import { SourceHttp, type HttpSourceOptions } from './http';

export interface ArgoCdSyncedRevision {
  application: string;
  /** The synced commit of the application's (first) git source. */
  revision: string;
  /** Synced, OutOfSync or Unknown, as Argo CD says. */
  syncStatus?: string;
  health?: string;
  /** When that revision was last deployed, from status.history. */
  deployedAt?: number;
}

interface ApplicationBody {
  metadata?: { name?: unknown };
  status?: {
    sync?: { status?: unknown; revision?: unknown; revisions?: unknown };
    health?: { status?: unknown };
    history?: unknown;
  };
}

const APP_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export class ArgoCdSource {
  readonly kind = 'argocd';
  readonly name: string;
  private readonly http: SourceHttp;

  constructor(opts: HttpSourceOptions) {
    this.name = opts.name;
    this.http = new SourceHttp(opts);
  }

  async syncedRevision(application: string, opts: { appNamespace?: string; signal?: AbortSignal } = {}): Promise<ArgoCdSyncedRevision> {
    // Kubernetes object names (RFC 1123 subdomains): nothing else reaches the URL path.
    if (!APP_NAME.test(application)) throw new SourceError('config', this.name, `${JSON.stringify(application.slice(0, 80))} is not an Argo CD application name`);
    const body = await this.http.json<ApplicationBody>('GET', `/api/v1/applications/${application}`, opts.appNamespace ? { appNamespace: opts.appNamespace } : undefined, undefined, opts.signal);
    const sync = body?.status?.sync;
    const revisions = Array.isArray(sync?.revisions) ? sync.revisions.filter((r): r is string => typeof r === 'string') : [];
    const revision = typeof sync?.revision === 'string' && sync.revision ? sync.revision : revisions[0];
    if (!revision) throw new SourceError('malformed', this.name, `application ${application} has no status.sync.revision`);
    const history = Array.isArray(body.status?.history) ? (body.status!.history as { revision?: unknown; revisions?: unknown; deployedAt?: unknown }[]) : [];
    const last = [...history].reverse().find((h) => h.revision === revision || (Array.isArray(h.revisions) && h.revisions.includes(revision)));
    const deployedAt = typeof last?.deployedAt === 'string' ? Date.parse(last.deployedAt) : NaN;
    return {
      application,
      revision,
      ...(typeof sync?.status === 'string' ? { syncStatus: sync.status } : {}),
      ...(typeof body.status?.health?.status === 'string' ? { health: body.status.health.status } : {}),
      ...(Number.isFinite(deployedAt) ? { deployedAt } : {}),
    };
  }
}
