import { createSidekeyClient } from '@sidekey/client';

const client = createSidekeyClient({ url: 'http://127.0.0.1:3000', serviceKey: 'sksvc_x' });
// "gopher" is not a protocol Sidekey verifies for: tsc must refuse this call.
await client.service.verify.mutate({
  username: 'ada@example.org',
  password: 'x',
  service: 'gopher',
});
