/**
 * Words and shapes for what the owner sees. Pure functions, used on the server (loads)
 * and in the browser alike, so both render the same text.
 */

/** The app password in its groups (skap-7hq2m-x9kfa-… → ['skap', '7hq2m', …]) for grouped display. */
export function passwordGroups(password: string): string[] {
  return password
    .trim()
    .split(/[\s-]+/)
    .filter((group) => group.length > 0);
}

/**
 * Where from, without pinpointing anyone: the /24 network of an IPv4 address, the /48
 * of an IPv6 one (a typical site prefix, RFC 6177). Enough to tell "home" from
 * "somewhere else", which is what an owner checking their activity needs.
 */
export function approximateAddress(address: string | null | undefined): string | null {
  if (!address) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const candidate = mapped ? mapped[1]! : address;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(candidate);
  if (v4) {
    const octets = v4.slice(1, 4).map(Number);
    if (octets.some((octet) => octet > 255) || Number(v4[4]) > 255) return null;
    return `${octets.join('.')}.0/24`;
  }
  if (candidate.includes(':')) {
    const groups = expandIpv6(candidate);
    if (!groups) return null;
    return `${groups.slice(0, 3).join(':')}::/48`;
  }
  return null;
}

function expandIpv6(address: string): string[] | null {
  const withoutZone = address.split('%')[0]!;
  const halves = withoutZone.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return null;
  return groups.map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}

export type CredentialState = 'pending' | 'active' | 'revoked';

export function stateInWords(state: CredentialState): string {
  return { pending: 'Waiting for first use', active: 'In use', revoked: 'Revoked' }[state];
}

const revokeReasonWords: Record<string, string> = {
  user: 'you revoked it',
  revoke_all: 'you revoked all app passwords',
  password_changed: 'your password was changed',
  password_reset: 'your password was reset',
  two_factor_disabled: 'two-factor authentication was turned off',
  expired: 'it expired',
  admin: 'an administrator revoked it',
};

/** Why a credential stopped working, as the end of "Revoked because …". */
export function revokeReasonInWords(reason: string | null | undefined): string {
  return (reason && revokeReasonWords[reason]) || 'it was revoked';
}

/** The protocol a service verified for, as the kind of data it reaches. */
const serviceWords: Record<string, string> = {
  imap: 'mail',
  pop3: 'mail',
  smtp: 'sending mail',
  caldav: 'calendars',
  carddav: 'contacts',
  webdav: 'files',
};

export function serviceInWords(service: string | null | undefined): string | null {
  if (!service) return null;
  return serviceWords[service] ?? service;
}

const scopeWords: Record<string, string> = {
  mail: 'Mail',
  contacts: 'Contacts',
  calendars: 'Calendars',
  files: 'Files',
};

export function scopesInWords(scopes: readonly string[]): string {
  if (scopes.length === 0) return 'Nothing';
  return scopes.map((scope) => scopeWords[scope] ?? scope).join(', ');
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "just now", "5 minutes ago", "3 days ago", then a date. Relative for the recent past,
 * because that is how people check "was that me?"; computed where the page is rendered.
 */
export function relativeTime(at: Date, now: Date): string {
  const elapsed = now.getTime() - at.getTime();
  if (elapsed < MINUTE) return 'just now';
  if (elapsed < HOUR) return plural(Math.floor(elapsed / MINUTE), 'minute') + ' ago';
  if (elapsed < DAY) return plural(Math.floor(elapsed / HOUR), 'hour') + ' ago';
  if (elapsed < 7 * DAY) return plural(Math.floor(elapsed / DAY), 'day') + ' ago';
  return `on ${at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })}`;
}

export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}

/** The browser family and system from a user agent, for "Firefox on Linux". */
export function deviceInWords(userAgent: string | null | undefined): string {
  if (!userAgent) return 'An unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /(Chrome|Chromium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : /curl\//.test(userAgent)
            ? 'curl'
            : null;
  const system = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Mac OS X/.test(userAgent)
        ? 'macOS'
        : /Windows/.test(userAgent)
          ? 'Windows'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? 'An unknown device';
}
