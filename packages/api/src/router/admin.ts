import { SERVICE_NAME_MAX_LENGTH } from '@sidekey/core';
import { z } from 'zod';
import { actorOf, adminProcedure, createRouter } from '../trpc.ts';

const serviceName = z
  .string({ error: 'Name the service, such as “dovecot-imap”.' })
  .max(
    SERVICE_NAME_MAX_LENGTH * 4,
    `A service name can be at most ${SERVICE_NAME_MAX_LENGTH} characters long.`,
  );

/** What administrators manage: the relying services allowed to verify and subscribe. */
export const adminRouter = createRouter({
  services: createRouter({
    /** Answers with the key: the one and only time it is shown. */
    create: adminProcedure
      .input(z.object({ name: serviceName }))
      .mutation(({ ctx, input }) =>
        ctx.sidekey.serviceKeys.create(input.name, actorOf(ctx, 'admin')),
      ),

    list: adminProcedure.query(({ ctx }) => ctx.sidekey.serviceKeys.list()),

    revoke: adminProcedure
      .input(z.object({ id: z.uuid({ error: 'That is not a service id.' }) }))
      .mutation(({ ctx, input }) =>
        ctx.sidekey.serviceKeys.revoke(input.id, actorOf(ctx, 'admin')),
      ),
  }),
});
