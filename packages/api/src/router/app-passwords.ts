import { z } from 'zod';
import { credentialId, label, scopes } from '../inputs.ts';
import { actorOf, createRouter, protectedProcedure, sensitiveProcedure } from '../trpc.ts';

export const appPasswordsRouter = createRouter({
  list: protectedProcedure.query(({ ctx }) => ctx.sidekey.appPasswords.list(ctx.auth.account.id)),

  /** Answers with the secret: the one and only time it is ever shown. */
  generate: sensitiveProcedure
    .input(
      z.object({
        label,
        scopes: scopes.optional(),
        expiresAt: z.date({ error: 'The expiry must be a date.' }).optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.sidekey.appPasswords.generate(ctx.auth.account.id, input, actorOf(ctx)),
    ),

  revoke: protectedProcedure
    .input(z.object({ id: credentialId }))
    .mutation(({ ctx, input }) =>
      ctx.sidekey.appPasswords.revoke(ctx.auth.account.id, input.id, actorOf(ctx)),
    ),

  /** A new label; the password itself is unchanged and keeps working. */
  rename: protectedProcedure
    .input(z.object({ id: credentialId, label }))
    .mutation(({ ctx, input }) =>
      ctx.sidekey.appPasswords.rename(ctx.auth.account.id, input.id, input.label, actorOf(ctx)),
    ),

  revokeAll: sensitiveProcedure.mutation(({ ctx }) =>
    ctx.sidekey.appPasswords.revokeAll(ctx.auth.account.id, actorOf(ctx)),
  ),

  history: protectedProcedure
    .input(z.object({ id: credentialId }))
    .query(({ ctx, input }) => ctx.sidekey.appPasswords.history(ctx.auth.account.id, input.id)),
});
