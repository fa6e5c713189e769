import { outbox, type DbOrTx } from '@sidekey/db';
import { desc, eq, isNull } from 'drizzle-orm';
import { createTransport } from 'nodemailer';
import type { Deps } from '../deps.ts';

export interface MailMessage {
  to: string;
  subject: string;
  body: string;
  /**
   * Parts of the body that are secrets (a reset link): removed from the stored copy
   * once SMTP has taken the message, and never written to the log when SMTP is set.
   */
  secrets?: string[];
}

export interface MailOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`; unset: messages stay in the outbox. */
  smtpUrl?: string;
  from?: string;
}

export const DEFAULT_MAIL_FROM = 'Sidekey <sidekey@localhost>';
const REMOVED = '[removed once sent]';

/**
 * Every message is first written to the outbox table — inside the caller's transaction
 * when there is one, so a notice exists exactly when the change it reports committed.
 * With SMTP_URL set it is then sent with nodemailer and `sent_at` / `last_error`
 * recorded; without it the operator reads it with `sidekey outbox`.
 *
 * Sending happens after the request has its answer (tracked, so tests and shutdown can
 * wait with `settled()`): a slow mail server never slows a sign-in, and the time a
 * reset request takes says nothing about whether the account exists.
 */
export function createMailer(deps: Deps, options: MailOptions = {}) {
  const { log } = deps;
  const from = options.from ?? DEFAULT_MAIL_FROM;
  const transport = options.smtpUrl ? createTransport(options.smtpUrl) : null;
  const inFlight = new Set<Promise<void>>();

  /** Writes the message to the outbox in `tx`; call `dispatch` with the id after commit. */
  async function enqueue(tx: DbOrTx, message: MailMessage): Promise<QueuedMail> {
    const [row] = await tx
      .insert(outbox)
      .values({ recipient: message.to, subject: message.subject, body: message.body })
      .returning({ id: outbox.id });
    return { id: row!.id, message };
  }

  /** Sends (or announces) queued messages in the background. */
  function dispatch(...queued: QueuedMail[]): void {
    for (const item of queued) {
      const work = deliver(item).finally(() => inFlight.delete(work));
      inFlight.add(work);
    }
  }

  /** enqueue + dispatch, for a message that belongs to no transaction. */
  async function send(message: MailMessage): Promise<void> {
    dispatch(await enqueue(deps.db, message));
  }

  async function deliver({ id, message }: QueuedMail): Promise<void> {
    if (!transport) {
      const onEmbeddedDefault = deps.database.engine === 'pglite';
      // Embedded default without SMTP only: the log line may carry the reset link, so a
      // newcomer running `pnpm start` can reset a password without any set-up. With SMTP
      // configured (or on Postgres) a secret never reaches the log: read `sidekey outbox`.
      log.info(
        {
          outboxId: id,
          subject: message.subject,
          ...(onEmbeddedDefault && message.secrets?.length ? { link: message.secrets[0] } : {}),
        },
        'mail is in the outbox (SMTP_URL is not set); read it with `sidekey outbox`',
      );
      return;
    }
    try {
      await transport.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.body,
      });
      let body = message.body;
      for (const secret of message.secrets ?? []) body = body.split(secret).join(REMOVED);
      await deps.db
        .update(outbox)
        .set({ sentAt: deps.now(), lastError: null, body })
        .where(eq(outbox.id, id));
      log.info({ outboxId: id, subject: message.subject }, 'mail sent');
    } catch (error) {
      const reason = (error as Error).message.slice(0, 500);
      log.warn(
        { outboxId: id, err: { message: reason } },
        'mail could not be sent; it stays in the outbox',
      );
      await deps.db
        .update(outbox)
        .set({ lastError: reason })
        .where(eq(outbox.id, id))
        .catch(() => undefined);
    }
  }

  /** Resolves when every message handed to dispatch so far has been sent or failed. */
  /**
   * Runs `work` (which queues mail) after the current request has answered, so how long
   * the answer takes cannot depend on what the work finds; `settled()` waits for it too.
   */
  function later(work: () => Promise<unknown>): void {
    const task: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(work)
      .then(
        () => undefined,
        (error: unknown) => {
          log.error({ err: { message: (error as Error)?.message } }, 'deferred mail work failed');
        },
      )
      .finally(() => inFlight.delete(task));
    inFlight.add(task);
  }

  async function settled(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  /** The outbox, newest first: what `sidekey outbox` prints for the operator. */
  async function list(options: { limit?: number; unsentOnly?: boolean } = {}) {
    return deps.db
      .select()
      .from(outbox)
      .where(options.unsentOnly ? isNull(outbox.sentAt) : undefined)
      .orderBy(desc(outbox.id))
      .limit(Math.min(Math.max(options.limit ?? 20, 1), 1000));
  }

  function close() {
    transport?.close();
  }

  return {
    enqueue,
    dispatch,
    later,
    send,
    settled,
    list,
    close,
    smtpConfigured: transport !== null,
  };
}

export interface QueuedMail {
  id: number;
  message: MailMessage;
}

export type Mailer = ReturnType<typeof createMailer>;
