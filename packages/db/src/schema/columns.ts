import { timestamp } from 'drizzle-orm/pg-core';

/** Every instant is stored with its zone, read back as a Date in UTC. */
export const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const createdAt = () => instant('created_at').notNull().defaultNow();
