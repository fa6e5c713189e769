/**
 * The protocol adapters speak plain HTTP on the hot path: no SvelteKit, no tRPC. Each
 * handler takes this small request shape and returns a small response, so the same
 * logic serves node:http in production (server.js) and SvelteKit hooks in `vite dev`.
 */
export interface PlainRequest {
  method: string;
  /** Lower-case names, as node:http gives them. */
  header(name: string): string | undefined;
  /** The body as text, or 'too_large' past `limit` bytes (reading stops there). */
  body(limit: number): Promise<string | 'too_large'>;
  /** The caller's address (after trusted proxies), computed only when asked. */
  address(): string | null;
}

export interface PlainResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type PlainHandler = (request: PlainRequest) => Promise<PlainResponse>;

export function json(status: number, value: unknown, headers: Record<string, string> = {}) {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    },
    body: JSON.stringify(value),
  } satisfies PlainResponse;
}

/** Longest header value the adapters read; anything longer is refused, not parsed. */
export const MAX_HEADER_LENGTH = 2048;

export function boundedHeader(request: PlainRequest, name: string): string | undefined {
  const value = request.header(name);
  return value === undefined || value.length > MAX_HEADER_LENGTH ? undefined : value;
}
