import { lifecycleReviewService } from '@sidekey/core';
import { z } from 'zod';
import { credentialId } from '../inputs.ts';
import { adminProcedure, createRouter, protectedProcedure, publicProcedure } from '../trpc.ts';

/** When a review names no period: the last 30 days. */
export const DEFAULT_REVIEW_DAYS = 30;

const period = z
  .object({
    from: z.date({ error: 'The start of the period must be a date.' }).optional(),
    to: z.date({ error: 'The end of the period must be a date.' }).optional(),
  })
  .optional();

/** The state-machine visualizer: the lifecycle as the code runs it, and as it ran. */
export const flowsRouter = createRouter({
  /** The machine's graph: states, edges, guards, reasons. The design, not data: public. */
  graph: publicProcedure.query(({ ctx }) => lifecycleReviewService(ctx.sidekey.deps).graph),

  /** One of the caller's own credentials, step by step from its audit trail. */
  credentialPath: protectedProcedure
    .input(z.object({ id: credentialId }))
    .query(({ ctx, input }) =>
      lifecycleReviewService(ctx.sidekey.deps).credentialPath(ctx.auth.account.id, input.id),
    ),

  /** Admins: credentials per state and transitions per edge and reason over a period. */
  review: adminProcedure.input(period).query(({ ctx, input }) => {
    const end = input?.to ?? ctx.sidekey.deps.now();
    const from = input?.from ?? new Date(end.getTime() - DEFAULT_REVIEW_DAYS * 86_400_000);
    return lifecycleReviewService(ctx.sidekey.deps).review({ from, to: input?.to });
  }),
});
