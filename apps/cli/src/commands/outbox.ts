import type { Command } from './types.ts';

const usage = 'Use: sidekey outbox [--unsent] [--limit N]';

/**
 * Every message Sidekey wrote (reset links, security notices), newest first. Without
 * SMTP_URL this is how the operator reads them; with it, sent messages show when they
 * went out (their links already removed) and failed ones the last error.
 */
export const outbox: Command = {
  usage: 'outbox [--unsent] [--limit N]',
  summary: 'list the mail outbox (reset links and security notices), newest first',
  async run(sidekey, args, out) {
    let limit = 20;
    let unsentOnly = false;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === '--unsent') unsentOnly = true;
      else if (arg === '--limit') {
        const value = Number(args[++i]);
        if (!Number.isInteger(value) || value < 1 || value > 1000)
          throw new Error(`--limit takes a whole number from 1 to 1000. ${usage}`);
        limit = value;
      } else throw new Error(`Unknown option “${arg}”. ${usage}`);
    }
    const messages = await sidekey.mailer.list({ limit, unsentOnly });
    if (messages.length === 0) return out(unsentOnly ? 'No unsent mail.' : 'The outbox is empty.');
    for (const message of messages) {
      const status = message.sentAt
        ? `sent ${message.sentAt.toISOString()}`
        : message.lastError
          ? `NOT SENT: ${message.lastError}`
          : 'not sent (in the outbox)';
      out(`#${message.id}  ${message.createdAt.toISOString()}  ${status}`);
      out(`To: ${message.recipient}`);
      out(`Subject: ${message.subject}`);
      out('');
      for (const line of message.body.trimEnd().split('\n')) out(`  ${line}`);
      out('');
    }
  },
};
