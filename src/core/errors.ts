// Errors that cross a boundary carry a kind the UI can act on and a message a person can read.

export type SourceErrorKind =
  | 'down' // connection refused / host unreachable
  | 'timeout'
  | 'auth' // 401 / 403
  | 'not-found'
  | 'server' // 5xx
  | 'client' // other 4xx
  | 'malformed' // body is not what the API documents
  | 'oversized' // body above the size limit
  | 'config'; // our own configuration is wrong

export class SourceError extends Error {
  constructor(
    readonly kind: SourceErrorKind,
    readonly source: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${source}: ${message}`);
    this.name = 'SourceError';
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
