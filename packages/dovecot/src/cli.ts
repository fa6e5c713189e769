// sidekey-dovecot: keeps a Dovecot server in step with Sidekey. For every revoked app
// password, its user's entries in Dovecot's auth cache are flushed and their open sessions
// kicked at once.
import { parseArgs } from 'node:util';
import { ConfigError, readCompanionConfig } from './config.ts';
import { dovecotRevocationHandler } from './dovecot-revocation.ts';
import { startRelyingService } from './relying-service.ts';
import { readLastEventId, writeLastEventId } from './state.ts';

const HELP = `Usage: sidekey-dovecot [--config FILE]

Follows Sidekey's revocations (service.events) and, for each revoked app password, runs
\`doveadm auth cache flush <user>\` and \`doveadm kick <user>\`.

Configured by the environment, or by FILE with KEY=VALUE lines (systemd EnvironmentFile):
  SIDEKEY_URL                 Sidekey's base URL, e.g. https://sidekey.example.org
  SIDEKEY_SERVICE_KEY_FILE    file holding the key \`sidekey service add dovecot\` printed
  SIDEKEY_EVENTS_STATE_FILE   where the last handled event id is kept
                              (default under systemd: $STATE_DIRECTORY/last-event-id)
  DOVECOT_CONFIG              passed to doveadm as -c (optional)
  DOVEADM                     the doveadm binary (default: doveadm on PATH)
`;

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

let options: { config?: string; help?: boolean };
try {
  options = parseArgs({
    options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }).values;
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

let config;
try {
  config = readCompanionConfig(process.env, options.config);
} catch (error) {
  const known = error instanceof ConfigError || (error as NodeJS.ErrnoException).code;
  process.stderr.write(`sidekey-dovecot: ${known ? (error as Error).message : error}\n`);
  process.exit(2);
}

const lastEventId = readLastEventId(config.stateFile);
const stateFile = config.stateFile;
const service = startRelyingService({
  url: config.url,
  serviceKey: config.serviceKey,
  lastEventId,
  onRevocation: dovecotRevocationHandler({ doveadm: config.doveadm, log }),
  onHandled: (eventId) => writeLastEventId(stateFile, eventId),
  log,
});
await service.ready;
log(`subscribed to revocation events${lastEventId ? ` after event ${lastEventId}` : ''}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    service.stop();
    void service.idle().then(() => process.exit(0));
  });
}
