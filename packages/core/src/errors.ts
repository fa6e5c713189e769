/**
 * The one error type services throw for anything a caller did or may be told.
 * Codes are tRPC's, so the API maps them one to one; `reason` is a stable word a
 * UI or client can act on. Messages are for people and never contain a secret.
 */
export type SidekeyErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_FAILED'
  | 'TOO_MANY_REQUESTS'
  /** The node is at its limit of expensive work (password hashing); with `retryAfterSeconds`. */
  | 'SERVICE_UNAVAILABLE';

export class SidekeyError extends Error {
  override readonly name = 'SidekeyError';
  constructor(
    readonly code: SidekeyErrorCode,
    message: string,
    readonly reason?: string,
    /** With TOO_MANY_REQUESTS or SERVICE_UNAVAILABLE: when the caller may try again (sent as Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export const notFound = (what: string) =>
  new SidekeyError('NOT_FOUND', `${what} not found.`, 'not_found');
