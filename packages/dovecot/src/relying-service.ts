import { createSidekeyClient } from '@sidekey/client';
import type { Revocation } from './dovecot-revocation.ts';

/** One revocation as service.events streams it. */
export interface RevocationEvent extends Revocation {
  eventId: number | string;
  accountId: string;
  at: Date | string;
}

export interface RelyingServiceOptions {
  /** Sidekey's base URL. */
  url: string;
  /** The key `sidekey service add <name>` printed for this service. */
  serviceKey: string;
  /** What to do about one revocation; events are handled one at a time, in order. */
  onRevocation(event: RevocationEvent): Promise<void>;
  /** Resume after this event (the last one handled before a restart): none is missed. */
  lastEventId?: string;
  /** Called after each event is handled, e.g. to remember its id for the next start. */
  onHandled?(eventId: string): void;
  log?(line: string): void;
  /**
   * Pauses before each retry of a failing handler (default 1, 2, 4, 8 and 16 s): a Dovecot
   * restarting is back within that. After the last one the event counts as handled — a
   * restarted Dovecot has an empty auth cache and no open sessions, so nothing is left to undo.
   */
  retryDelaysMs?: number[];
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000];

export interface RunningRelyingService {
  /** Resolves once the subscription is open: revocations from then on are delivered. */
  ready: Promise<void>;
  /** Resolves when every event received so far has been handled. */
  idle(): Promise<void>;
  stop(): void;
}

/**
 * Subscribes to Sidekey's revocation events (service.events, Server-Sent Events under tRPC)
 * and hands each to `onRevocation`, strictly in order. The typed client reconnects after a
 * network error and resumes from the last event id it saw, so a Sidekey restart or a
 * dropped connection loses nothing; `lastEventId` carries that across restarts of this
 * service too. A failing handler is retried with growing pauses, then logged, and the stream goes on: one
 * bad event must not stop every later revocation from being acted on.
 */
export function startRelyingService(options: RelyingServiceOptions): RunningRelyingService {
  const log = options.log ?? (() => {});
  const client = createSidekeyClient({ url: options.url, serviceKey: options.serviceKey });
  let queue = Promise.resolve();
  let markReady: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const subscription = client.service.events.subscribe(
    options.lastEventId ? { lastEventId: options.lastEventId } : {},
    {
      onStarted: () => markReady(),
      // Each event arrives tracked by its id (tRPC's tracked()): the id is what a reconnect
      // resumes after; the event itself is in `data`.
      onData: ({ id, data: event }) => {
        queue = queue.then(async () => {
          for (const delay of [...(options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS), null]) {
            try {
              await options.onRevocation(event);
              break;
            } catch (error) {
              const message = (error as Error).message;
              log(
                `handling the revocation of ${event.credentialId} failed: ${message}` +
                  (delay === null ? '; giving up on it' : `; retrying in ${delay} ms`),
              );
              if (delay !== null) await new Promise((resolve) => setTimeout(resolve, delay));
            }
          }
          options.onHandled?.(id);
        });
      },
      onError: (error) => log(`revocation events stopped: ${error.message}`),
    },
  );
  return { ready, idle: () => queue, stop: () => subscription.unsubscribe() };
}
