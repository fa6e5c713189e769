// A relying service in another repository: it installed @sidekey/client from the registry
// (here: the packed tarball) and nothing else of Sidekey.
import { createSidekeyClient, type SidekeyClient } from '@sidekey/client';

const env = process.env;
const client: SidekeyClient = createSidekeyClient({
  url: env.SIDEKEY_URL!,
  serviceKey: env.SIDEKEY_SERVICE_KEY!,
});

const answer = await client.service.verify.mutate({
  username: env.SIDEKEY_USERNAME!,
  password: env.SIDEKEY_PASSWORD!,
  service: 'imap',
  remoteAddress: '203.0.113.9',
});
// The answer is a union the compiler narrows: scopes exist only on a success.
const verified = answer.ok
  ? { ok: true, scopes: answer.scopes }
  : { ok: false, reason: answer.reason };

const wanted = Number(env.WANTED_EVENTS ?? 1);
const events: { id: string; credentialId: string; atIsDate: boolean }[] = [];
await new Promise<void>((resolve, reject) => {
  const subscription = client.service.events.subscribe(
    { lastEventId: env.LAST_EVENT_ID },
    {
      onData: ({ id, data }) => {
        events.push({ id, credentialId: data.credentialId, atIsDate: data.at instanceof Date });
        if (events.length === wanted) {
          subscription.unsubscribe();
          resolve();
        }
      },
      onError: reject,
    },
  );
});
process.stdout.write(JSON.stringify({ verified, events }) + '\n');
