import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSidekey, type RunningSidekey } from './start.ts';

// A client that trickles its request must not hold a connection for minutes (Node's own
// defaults would allow 60 s of headers and 300 s of request): the server answers 408 and
// closes once the headers take over 10 s, or the whole request over 20 s.
let app: RunningSidekey;
beforeAll(async () => {
  app = await startSidekey();
}, 180_000);
afterAll(() => app?.stop());

/** Opens a raw connection, sends `start`, then nothing more; resolves with what came back, and after how long. */
function stall(start: string): Promise<{ answer: string; seconds: number }> {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const socket: Socket = connect(Number(port), hostname, () => socket.write(start));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, seconds: (performance.now() - began) / 1000 }));
    // Far past both limits: if the server never closes, the test fails rather than hangs.
    setTimeout(() => socket.destroy(new Error('the server kept the slow connection open')), 90_000);
  });
}

describe('slow clients', () => {
  it('headers trickled for over 10 s get 408 and the connection closed', async () => {
    const { answer, seconds } = await stall('GET /healthz HTTP/1.1\r\nHost: sidekey\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // Node's default would wait 60 s; the margin above 10 s is for a busy machine.
    expect(seconds).toBeGreaterThanOrEqual(9);
    expect(seconds).toBeLessThan(45);
  }, 120_000);

  it('a body that never arrives gets 408 and the connection closed, well before minutes', async () => {
    const { answer, seconds } = await stall(
      'POST /auth/verify HTTP/1.1\r\nHost: sidekey\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n{"username":',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    // Node's default would wait 300 s; the margin above 20 s is for a busy machine.
    expect(seconds).toBeGreaterThanOrEqual(19);
    expect(seconds).toBeLessThan(55);
  }, 120_000);
});
