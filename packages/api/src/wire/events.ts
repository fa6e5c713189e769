import { z } from 'zod';

/** service.events: what a subscriber sends, and each revocation it receives. */
export const eventsRequest = z
  .object({
    lastEventId: z
      .string()
      .regex(/^\d{1,15}$/, 'lastEventId is the numeric id of an event.')
      .nullish()
      .meta({
        description:
          'Resume after this event id ("0": the whole history; none: from now on). A reconnecting EventSource sends it as Last-Event-ID.',
      }),
  })
  .optional();

export const revocationEvent = z
  .object({
    eventId: z.number().int().positive(),
    credentialId: z.uuid(),
    accountId: z.uuid(),
    username: z.string().meta({ description: 'The account’s email address.' }),
    reason: z.string().meta({ description: 'Why the credential ended (user, revoke_all, …).' }),
    at: z.date(),
  })
  .meta({ id: 'RevocationEvent' });

export type RevocationEventWire = z.infer<typeof revocationEvent>;
