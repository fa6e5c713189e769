// A small app using the login flow, as a third-party developer would write it: start a
// request, show the owner where to go, poll politely until the owner decides. Run by
// login-flow.test.ts as its own process: `node login-flow-app.mjs <sidekey-url> [name]`.
// It prints one line per step (STARTED, POLL, RESULT) as JSON the test reads.
const [base, clientName = 'Test Mail App'] = process.argv.slice(2);

/** One line of output per step: the test reads them as they come. */
const say = (line) => process.stdout.write(`${line}\n`);

const post = async (url, body) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'TestMailApp/1.0 (Linux)' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
};

const started = await post(new URL('/connect/requests', base), {
  client_name: clientName,
  scopes: ['mail', 'contacts'],
});
say(`STARTED ${JSON.stringify(started)}`);
if (started.status !== 200) process.exit(1);

let interval = started.body.interval;
const deadline = Date.now() + started.body.expires_in * 1000;
while (Date.now() < deadline) {
  await new Promise((resolve) => setTimeout(resolve, interval * 1000));
  const polled = await post(started.body.poll_uri, { device_code: started.body.device_code });
  if (polled.status === 200) {
    say(`RESULT ${JSON.stringify(polled.body)}`);
    process.exit(0);
  }
  say(`POLL ${JSON.stringify({ status: polled.status, error: polled.body.error })}`);
  if (polled.body.error === 'slow_down') interval = polled.body.interval;
  else if (polled.body.error !== 'authorization_pending') {
    say(`RESULT ${JSON.stringify(polled.body)}`);
    process.exit(0);
  }
}
say('RESULT {"error":"gave_up"}');
