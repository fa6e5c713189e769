// The example relying service: keeps a Dovecot server in step with Sidekey. Every revoked app
// password's user has Dovecot's auth cache flushed and open sessions kicked at once.
//
//   SIDEKEY_URL=https://sidekey.example.org SIDEKEY_SERVICE_KEY_FILE=/etc/dovecot/sidekey-service-key \
//   DOVECOT_CONFIG=/etc/dovecot/dovecot.conf pnpm --filter @sidekey/integrations example-relying-service
//
// Optional: DOVEADM (default doveadm), SIDEKEY_EVENTS_STATE_FILE (where the last handled event
// id is kept, so a restart resumes without missing a revocation).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dovecotRevocationHandler } from './dovecot-revocation.ts';
import { startRelyingService } from './relying-service.ts';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Set ${name} (see the comment at the top of main.ts).`);
  return value;
}

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const serviceKey = process.env.SIDEKEY_SERVICE_KEY_FILE
  ? readFileSync(process.env.SIDEKEY_SERVICE_KEY_FILE, 'utf8').trim()
  : required('SIDEKEY_SERVICE_KEY');
const stateFile = process.env.SIDEKEY_EVENTS_STATE_FILE;
const doveadm = [process.env.DOVEADM || 'doveadm'];
if (process.env.DOVECOT_CONFIG) doveadm.push('-c', process.env.DOVECOT_CONFIG);

const service = startRelyingService({
  url: required('SIDEKEY_URL'),
  serviceKey,
  lastEventId:
    stateFile && existsSync(stateFile) ? readFileSync(stateFile, 'utf8').trim() : undefined,
  onRevocation: dovecotRevocationHandler({ doveadm, log }),
  onHandled: (eventId) => stateFile && writeFileSync(stateFile, `${eventId}\n`),
  log,
});
await service.ready;
log('subscribed to revocation events');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    service.stop();
    void service.idle().then(() => process.exit(0));
  });
}
