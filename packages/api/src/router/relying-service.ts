import { SidekeyError, type Protocol } from '@sidekey/core';
import { tracked, TRPCError } from '@trpc/server';
import { answerWithin } from '../deadline.ts';
import { createRouter, publicProcedure, serviceProcedure } from '../trpc.ts';
import { eventsRequest, type RevocationEventWire } from '../wire/events.ts';
import { toVerifyInput, verifyRequest, verifyResponse } from '../wire/verify.ts';

const unauthorized = () => {
  const message = 'A valid service key is needed: Authorization: Bearer <service key>.';
  return new TRPCError({
    code: 'UNAUTHORIZED',
    message,
    cause: new SidekeyError('UNAUTHORIZED', message, 'service_unauthorized'),
  });
};

const notAllowed = (service: Protocol) => {
  const message = `This service key may not verify ${service}: make a key for it (sidekey service add <name> --services …).`;
  return new TRPCError({
    code: 'FORBIDDEN',
    message,
    cause: new SidekeyError('FORBIDDEN', message, 'service_not_allowed'),
  });
};

/** For relying services, authenticated by their service key (Authorization: Bearer). */
export const serviceRouter = createRouter({
  /**
   * The same answer as POST /auth/verify: {ok:true, accountId, credentialId, username,
   * scopes} or {ok:false, reason} — a refusal is an answer, not an error. A mutation:
   * a verification records use.
   */
  verify: publicProcedure
    .input(verifyRequest)
    .output(verifyResponse)
    .mutation(async ({ ctx, input }) => {
      const result = await answerWithin(
        ctx.sidekey.verifyForService(ctx.serviceKey, toVerifyInput(input)),
        ctx.verifyDeadlineMs,
        // Name and message only: a driver's error may carry the query's parameters.
        (error) =>
          ctx.sidekey.deps.log.warn(
            { err: { name: (error as Error)?.name, message: (error as Error)?.message } },
            'service.verify failed; answered 503',
          ),
      );
      if (result.ok) return result;
      if (result.reason === 'service_unauthorized') throw unauthorized();
      if (result.reason === 'service_not_allowed') throw notAllowed(input.service);
      return result;
    }),

  /**
   * Revocations as they happen (SSE), each tracked by its event id: a client that
   * reconnects sends the last id it saw and gets everything after it from the audit log,
   * then live events. Without an id, it starts from now (`"0"`: the whole history).
   */
  events: serviceProcedure
    .input(eventsRequest)
    // An async resolver: listening is set up before the client is told it is connected.
    .subscription(async ({ ctx, input, signal }) => {
      const after = input?.lastEventId ? Number(input.lastEventId) : null;
      // The stream ends when the client leaves, or when this service's key is revoked.
      const stop = new AbortController();
      signal?.addEventListener('abort', () => stop.abort(), { once: true });
      let keyRevoked = false;
      const offRevoked = ctx.sidekey.serviceKeys.onRevoked((serviceId) => {
        if (serviceId !== ctx.service.id) return;
        keyRevoked = true;
        stop.abort();
      });
      // Only revocations of credentials this key's protocols could have verified.
      const events = await ctx.sidekey.revocations
        .open(after, stop.signal, { protocols: ctx.service.protocols })
        .catch((error) => {
          offRevoked();
          throw error;
        });
      return (async function* () {
        try {
          for await (const event of events) {
            // Typed by the wire schema, so what the client sees is the published contract.
            const sent: RevocationEventWire = event;
            yield tracked(String(event.eventId), sent);
          }
          if (keyRevoked) throw unauthorized();
        } finally {
          offRevoked();
        }
      })();
    }),
});
