import type { Command } from './types.ts';

/** The server does this hourly; an operator may run it at once (e.g. from cron when no server runs). */
export const prune: Command = {
  usage: 'prune',
  summary:
    "delete expired sessions, spent reset links, long-idle throttles and audit events past SIDEKEY_AUDIT_RETENTION_DAYS, and fold the lifecycle review's totals",
  async run(sidekey, _args, out) {
    const removed = await sidekey.prune();
    out(
      `Removed ${removed.sessions} expired session(s), ${removed.resetTokens} spent reset link(s), ${removed.throttles} idle throttle(s), ${removed.auditEvents} audit event(s) past retention; folded ${removed.lifecycleSteps} lifecycle step(s) into the review's totals.`,
    );
  },
};
