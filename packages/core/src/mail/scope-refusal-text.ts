import { networkOf } from '../verification/network.ts';
import { protocolScopes, type Protocol } from '../verification/protocols.ts';

/** An app password refused for a protocol its scopes do not reach, as the owner is told. */
export interface ScopeRefusal {
  accountId: string;
  credentialId: string;
  label: string;
  service: Protocol;
  at: Date;
  address: string | null;
  userAgent: string | null;
}

/** What each protocol is for, in the words an owner uses, with the name their app shows. */
const ACCESS_IN_WORDS: Record<Protocol, string> = {
  imap: 'mail (IMAP)',
  pop3: 'mail (POP3)',
  smtp: 'sending mail (SMTP)',
  caldav: 'calendars (CalDAV)',
  carddav: 'contacts (CardDAV)',
  webdav: 'files (WebDAV)',
};

const WHEN = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'UTC',
});

/**
 * The app name as the refused client sent it: whoever holds the password chooses it, so
 * it is shown quoted, on one line, without control or invisible formatting characters
 * (which could fake lines or reorder text in the mail), and short.
 */
export function appNameForMail(userAgent: string | null): string | null {
  if (!userAgent) return null;
  const clean = userAgent
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!clean) return null;
  return clean.length > 100 ? `${clean.slice(0, 99)}…` : clean;
}

/**
 * The notice in everyday words: which password, what it was used for, by which app, when
 * and from where, and what to do. It names the password by its label only: never the
 * secret, which Sidekey does not have anyway.
 */
export function describeScopeRefusal(refusal: ScopeRefusal): { subject: string; lines: string[] } {
  const access = ACCESS_IN_WORDS[refusal.service];
  const scope = protocolScopes[refusal.service];
  const app = appNameForMail(refusal.userAgent);
  const network = networkOf(refusal.address);
  return {
    subject: `Sidekey: “${refusal.label}” was refused for ${access}`,
    lines: [
      `Your app password “${refusal.label}” was used for ${access}, which it was not made for, so it was refused. Nothing was reached with it.`,
      '',
      `When: ${WHEN.format(refusal.at)} UTC`,
      ...(app ? [`App: “${app}” (the name the app gave; it may not be its real one)`] : []),
      ...(network ? [`Network: ${network}`] : []),
      '',
      `If this was you (a new app, or a new setting in an app), generate a new app password in Sidekey that may reach ${scope}, and enter that one in the app.`,
      `If it was not you, you can ignore this message: the password was refused. If you think someone else has “${refusal.label}”, revoke it in Sidekey.`,
      '',
      'You get at most one such message a day for each app password and kind of access.',
    ],
  };
}
