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
}

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
 * service too. A failing handler is logged and the stream goes on: one bad event must not
 * stop every later revocation from being acted on.
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
          try {
            await options.onRevocation(event);
          } catch (error) {
            log(
              `handling the revocation of ${event.credentialId} failed: ${(error as Error).message}`,
            );
          }
          options.onHandled?.(id);
        });
      },
      onError: (error) => log(`revocation events stopped: ${error.message}`),
    },
  );
  return { ready, idle: () => queue, stop: () => subscription.unsubscribe() };
}
