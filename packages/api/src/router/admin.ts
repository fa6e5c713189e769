import { SERVICE_NAME_MAX_LENGTH, allProtocols, type Protocol } from '@sidekey/core';
import { z } from 'zod';
import { actorOf, adminActionProcedure, adminProcedure, createRouter } from '../trpc.ts';

const serviceName = z
  .string({ error: 'Name the service, such as “dovecot-imap”.' })
  .max(
    SERVICE_NAME_MAX_LENGTH * 4,
    `A service name can be at most ${SERVICE_NAME_MAX_LENGTH} characters long.`,
  );

const services = z
  .array(
    z.enum(allProtocols as [Protocol, ...Protocol[]], {
      error: `Each service is one of ${allProtocols.join(', ')}.`,
    }),
    { error: 'Say which protocols this service may verify, such as ["imap", "pop3", "smtp"].' },
  )
  .min(1, 'Name at least one protocol this service may verify.')
  .max(allProtocols.length * 2, 'Name each protocol once.');

/** What administrators manage: the relying services allowed to verify and subscribe, and owners' app passwords in an emergency. */
export const adminRouter = createRouter({
  appPasswords: createRouter({
    /** Revokes any owner's app password (reason `admin`, audited with the admin as actor). */
    revoke: adminActionProcedure
      .input(z.object({ id: z.uuid({ error: 'That is not an app password id.' }) }))
      .mutation(({ ctx, input }) =>
        ctx.sidekey.appPasswords.revokeAsAdmin(input.id, actorOf(ctx, 'admin')),
      ),
  }),

  services: createRouter({
    /**
     * Answers with the key: the one and only time it is shown. `services`: the protocols
     * the key may verify (a Dovecot key: imap, pop3, smtp), and whose revocations it hears.
     */
    create: adminActionProcedure
      .input(z.object({ name: serviceName, services }))
      .mutation(({ ctx, input }) =>
        ctx.sidekey.serviceKeys.create(input.name, actorOf(ctx, 'admin'), input.services),
      ),

    list: adminProcedure.query(({ ctx }) => ctx.sidekey.serviceKeys.list()),

    revoke: adminActionProcedure
      .input(z.object({ id: z.uuid({ error: 'That is not a service id.' }) }))
      .mutation(({ ctx, input }) =>
        ctx.sidekey.serviceKeys.revoke(input.id, actorOf(ctx, 'admin')),
      ),
  }),
});
