/** One server an app connects to, as the owner's page shows it (no host is ever guessed). */
export interface ServerSetting {
  service: 'imap' | 'pop3' | 'smtp' | 'caldav' | 'carddav' | 'webdav';
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  /** For CalDAV, CardDAV and WebDAV: the server address apps ask for. */
  url?: string;
}

export const SERVICE_TITLES: Record<ServerSetting['service'], string> = {
  imap: 'Incoming mail (IMAP)',
  pop3: 'Incoming mail (POP3)',
  smtp: 'Outgoing mail (SMTP)',
  caldav: 'Calendars (CalDAV)',
  carddav: 'Contacts (CardDAV)',
  webdav: 'Files (WebDAV)',
};

/** What apps call the security setting: "SSL/TLS" for implicit TLS, "STARTTLS" otherwise. */
export function securityInWords(security: ServerSetting['security']): string {
  return security === 'tls' ? 'SSL/TLS' : 'STARTTLS';
}
