import type { AppPasswordScope } from '@sidekey/core';

/**
 * Short set-up steps per app, in the words each app's own screens use. They refer to
 * the username, password and servers shown beside them, never to a host of their own.
 */
export interface AppGuide {
  id: string;
  name: string;
  /** Scopes the app can use: a guide is offered only when the password reaches one. */
  uses: AppPasswordScope[];
  steps: string[];
}

export const APP_GUIDES: AppGuide[] = [
  {
    id: 'apple',
    name: 'Apple Mail, Calendar and Contacts (iPhone, iPad, Mac)',
    uses: ['mail', 'contacts', 'calendars'],
    steps: [
      'Easiest: download the configuration profile below (on the phone, scan the QR code), then open Settings › Profile Downloaded › Install.',
      'By hand: Settings › Apps › Mail › Mail Accounts › Add Account › Other, then “Add Mail Account” (or “Add CalDAV Account” / “Add CardDAV Account”).',
      'Use the username and password above, and the servers listed for each.',
    ],
  },
  {
    id: 'thunderbird',
    name: 'Thunderbird (desktop)',
    uses: ['mail', 'contacts', 'calendars'],
    steps: [
      'Account Settings › Account Actions › Add Mail Account; enter your name, the username above as email address and the password.',
      'If Thunderbird does not find the settings by itself, choose “Configure manually” and enter the servers listed.',
      'For calendars and contacts: New › Calendar (or Address Book) › On the Network, with the same username and password.',
    ],
  },
  {
    id: 'k9',
    name: 'Thunderbird for Android / K-9 Mail',
    uses: ['mail'],
    steps: [
      'Add account; enter the username above as email address.',
      'Choose “Manual setup” if asked, pick IMAP, and enter the servers listed with the password.',
    ],
  },
  {
    id: 'davx5',
    name: 'DAVx⁵ (Android calendars and contacts)',
    uses: ['contacts', 'calendars'],
    steps: [
      'Tap + › “Login with URL and user name”.',
      'Base URL: the calendar or contacts server address listed; user name and password as shown above.',
      'Choose which calendars and address books to sync.',
    ],
  },
  {
    id: 'outlook',
    name: 'Outlook',
    uses: ['mail'],
    steps: [
      'Add account; enter the username above as email address, then “Advanced options” › “Let me set up my account manually” › IMAP.',
      'Enter the servers listed and the password for both incoming and outgoing mail.',
    ],
  },
  {
    id: 'evolution',
    name: 'GNOME Evolution',
    uses: ['mail', 'contacts', 'calendars'],
    steps: [
      'Edit › Accounts › Add › Mail Account; enter the username above as email address.',
      'Under Receiving and Sending, enter the servers listed; choose “Password” authentication.',
      'For calendars and contacts: File › New › Calendar (or Address Book) › CalDAV (or CardDAV), with the server address listed.',
    ],
  },
  {
    id: 'other',
    name: 'Another app',
    uses: ['mail', 'contacts', 'calendars', 'files'],
    steps: [
      'Where the app asks for your account, enter the username and this password (never your account password).',
      'Enter the servers listed; choose SSL/TLS or STARTTLS as shown, and “normal password” authentication.',
    ],
  },
];

/**
 * Labels for common apps with the scopes each needs: choosing one fills the form, so DAVx⁵
 * is not given mail and a mail app is not given files. `key` names one in a link
 * (`/account?generate&app=davx5`), which is how choosing works without JavaScript.
 */
export const SUGGESTED_LABELS: Array<{ key: string; label: string; scopes: AppGuide['uses'] }> = [
  { key: 'iphone', label: 'iPhone', scopes: ['mail', 'contacts', 'calendars'] },
  { key: 'thunderbird', label: 'Thunderbird', scopes: ['mail', 'contacts', 'calendars'] },
  { key: 'thunderbird-android', label: 'Thunderbird for Android', scopes: ['mail'] },
  { key: 'davx5', label: 'DAVx⁵', scopes: ['contacts', 'calendars'] },
  { key: 'outlook', label: 'Outlook', scopes: ['mail'] },
  { key: 'evolution', label: 'GNOME Evolution', scopes: ['mail', 'contacts', 'calendars'] },
];

/** The suggestion a link names, or null for none or an unknown key. */
export function suggestionFor(key: string | null | undefined) {
  return SUGGESTED_LABELS.find((suggestion) => suggestion.key === key) ?? null;
}
