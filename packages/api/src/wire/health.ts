import { z } from 'zod';

/** GET /healthz: what a load balancer reads. */
export const healthy = z.object({ status: z.literal('ok') }).meta({ id: 'Healthy' });
export const unhealthy = z
  .object({ status: z.literal('unavailable'), message: z.string() })
  .meta({ id: 'Unhealthy' });

export type Healthy = z.infer<typeof healthy>;
export type Unhealthy = z.infer<typeof unhealthy>;
