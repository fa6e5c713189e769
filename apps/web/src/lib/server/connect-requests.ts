import { answerWithin, wire } from '@sidekey/api';
import { SidekeyError, type Logger } from '@sidekey/core';

/**
 * The JSON plumbing of the login flow's two app-facing routes: read a bounded body, parse
 * it with its wire schema, and answer in RFC 8628's words. Bad input is a 400 naming the
 * problem; nothing an app sends reaches a 5xx.
 */

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE, ...headers },
  });
}

export function refusal(
  status: number,
  error: wire.ConnectError['error'],
  description: string,
  extra: { interval?: number; headers?: Record<string, string> } = {},
) {
  const body: wire.ConnectError = { error, error_description: description };
  if (extra.interval !== undefined) body.interval = extra.interval;
  return answer(status, body, extra.headers);
}

/** What a wire schema offers (zod's safeParse), without this app depending on zod. */
interface WireSchema<T> {
  safeParse(
    value: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: Parameters<typeof wire.describeInvalidRequest>[0] };
}

/** The body parsed with `schema`, or the 400/413 answer saying what is wrong with it. */
export async function readBody<T>(
  request: Request,
  schema: WireSchema<T>,
  shape: string,
): Promise<{ ok: true; data: T } | { ok: false; response: Response }> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > wire.CONNECT_BODY_LIMIT) return { ok: false, response: tooLarge() };
  const text = await request.text().catch(() => null);
  if (text === null) {
    return { ok: false, response: refusal(400, 'invalid_request', 'The body could not be read.') };
  }
  if (Buffer.byteLength(text) > wire.CONNECT_BODY_LIMIT) return { ok: false, response: tooLarge() };
  let body: unknown = {};
  if (text.trim() !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      return {
        ok: false,
        response: refusal(400, 'invalid_request', `The body must be JSON: ${shape}.`),
      };
    }
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      response: refusal(400, 'invalid_request', wire.describeInvalidRequest(parsed.error)),
    };
  }
  return { ok: true, data: parsed.data };
}

function tooLarge() {
  return refusal(
    413,
    'invalid_request',
    `The body can be at most ${wire.CONNECT_BODY_LIMIT} bytes.`,
  );
}

/**
 * Core's answer to an app, within the request deadline (SIDEKEY_REQUEST_DEADLINE_MS). A
 * database that hangs or fails is the server's failure: the app hears 503 and waits it out,
 * never a 500 it would read as its own mistake, never a hang. Logged by name and message
 * only — a driver's error may carry query parameters.
 */
export async function withinDeadline<T>(
  work: Promise<T>,
  deadlineMs: number,
  log: Logger,
): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  try {
    return {
      ok: true,
      value: await answerWithin(work, deadlineMs, (error) => {
        const { name, message } = error instanceof Error ? error : { name: 'Error', message: '' };
        log.warn({ err: { name, message } }, 'login flow could not answer; answered 503');
      }),
    };
  } catch (error) {
    return { ok: false, response: domainRefusal(error) };
  }
}

/** A refusal core explained becomes its answer; being unable to answer is a 503. */
function domainRefusal(error: unknown): Response {
  if (error instanceof SidekeyError) {
    if (error.code === 'TOO_MANY_REQUESTS') {
      const wait = String(error.retryAfterSeconds ?? 60);
      return refusal(429, 'too_many_requests', error.message, { headers: { 'retry-after': wait } });
    }
    if (error.code === 'BAD_REQUEST') return refusal(400, 'invalid_request', error.message);
    if (error.code === 'SERVICE_UNAVAILABLE') {
      return refusal(503, 'temporarily_unavailable', error.message, {
        headers: { 'retry-after': String(error.retryAfterSeconds ?? 5) },
      });
    }
  }
  // Anything else escaped core's vocabulary: a bug, told as SvelteKit's 500 and logged there.
  throw error;
}
