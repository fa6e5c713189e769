import { serviceNames, SidekeyError, type ServiceName } from '@sidekey/core';
import { tracked, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { createRouter, publicProcedure, serviceProcedure } from '../trpc.ts';

const verifyInput = z.object({
  username: z.string({ error: 'username must be a string.' }).max(1024, 'username is too long.'),
  password: z.string({ error: 'password must be a string.' }).max(1024, 'password is too long.'),
  service: z.enum(serviceNames as [ServiceName, ...ServiceName[]], {
    error: `service must be one of ${serviceNames.join(', ')}.`,
  }),
  remoteAddress: z
    .union([z.ipv4(), z.ipv6()], { error: 'remoteAddress must be an IP address.' })
    .nullish(),
  userAgent: z.string().max(1024, 'userAgent is too long.').nullish(),
});

const unauthorized = () => {
  const message = 'A valid service key is needed: Authorization: Bearer <service key>.';
  return new TRPCError({
    code: 'UNAUTHORIZED',
    message,
    cause: new SidekeyError('UNAUTHORIZED', message, 'service_unauthorized'),
  });
};

const notAllowed = (service: ServiceName) => {
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
  verify: publicProcedure.input(verifyInput).mutation(async ({ ctx, input }) => {
    const result = await ctx.sidekey.verifyForService(ctx.serviceKey, {
      username: input.username,
      password: input.password,
      service: input.service,
      address: input.remoteAddress ?? null,
      userAgent: input.userAgent ?? null,
    });
    if (!result.ok && result.reason === 'service_unauthorized') throw unauthorized();
    if (!result.ok && result.reason === 'service_not_allowed') throw notAllowed(input.service);
    return result as Exclude<
      typeof result,
      { reason: 'service_unauthorized' | 'service_not_allowed' }
    >;
  }),

  /**
   * Revocations as they happen (SSE), each tracked by its event id: a client that
   * reconnects sends the last id it saw and gets everything after it from the audit log,
   * then live events. Without an id, it starts from now (`"0"`: the whole history).
   */
  events: serviceProcedure
    .input(
      z
        .object({
          lastEventId: z
            .string()
            .regex(/^\d{1,15}$/, 'lastEventId is the numeric id of an event.')
            .nullish(),
        })
        .optional(),
    )
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
          for await (const event of events) yield tracked(String(event.eventId), event);
          if (keyRevoked) throw unauthorized();
        } finally {
          offRevoked();
        }
      })();
    }),
});
