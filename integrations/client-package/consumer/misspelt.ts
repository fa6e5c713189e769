import { createSidekeyClient } from '@sidekey/client';

const client = createSidekeyClient({ url: 'http://127.0.0.1:3000', serviceKey: 'sksvc_x' });
// There is no service.verfy: tsc must refuse this call.
await client.service.verfy.mutate({ username: 'ada@example.org', password: 'x', service: 'imap' });
