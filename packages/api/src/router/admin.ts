import { SERVICE_NAME_MAX_LENGTH } from '@sidekey/core';
import { z } from 'zod';
import { actorOf, adminProcedure, createRouter, sensitiveProcedure } from '../trpc.ts';

const serviceName = z
  .string({ error: 'Name the service, such as “dovecot-imap”.' })
  .max(
    SERVICE_NAME_MAX_LENGTH * 4,
    `A service name can be at most ${SERVICE_NAME_MAX_LENGTH} characters long.`,
  );

/** Admin, and the password (and code) entered within the last few minutes. */
const sensitiveAdminProcedure = adminProcedure.concat(sensitiveProcedure);

/** What administrators manage: the relying services allowed to verify and subscribe, and owners' app passwords in an emergency. */
export const adminRouter = createRouter({
  appPasswords: createRouter({
    /** Revokes any owner's app password (reason `admin`, audited with the admin as actor). */
    revoke: sensitiveAdminProcedure
      .input(z.object({ id: z.uuid({ error: 'That is not an app password id.' }) }))
      .mutation(({ ctx, input }) =>
        ctx.sidekey.appPasswords.revokeAsAdmin(input.id, actorOf(ctx, 'admin')),
      ),
  }),

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
