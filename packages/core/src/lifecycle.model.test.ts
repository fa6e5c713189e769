import { appPasswords } from '@sidekey/db';
import {
  credentialLifecycleGraph,
  credentialMachine,
  decide,
  revokeReasons,
  type CredentialContext,
  type CredentialEvent,
  type CredentialRecord,
  type RevokeReason,
} from '@sidekey/lifecycle';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getShortestPaths, getSimplePaths } from 'xstate/graph';
import type { ActorMeta } from './deps.ts';
import { createTestSidekey, signUpOwner, type TestSidekey } from './testing.ts';
import type { VerifyResult } from './verification/verify.ts';

/**
 * Model-based tests: the machine generates the paths (xstate/graph), and each one is
 * run against the real services on a real database. At every step the row must hold the
 * state and context the machine predicts, the audit trail must have grown by exactly the
 * step the machine took (or by nothing when the machine writes nothing), and verify must
 * answer as the state says.
 *
 * Times in events are offsets from the start of a path; the injected clock is set to
 * each event's time before the step runs, so the machine's guards (expiry, a use from
 * a new network) decide exactly as the services do. A routine use is buffered telemetry:
 * the step flushes it before reading the row, and expects no audit row for it.
 */
const MINUTE = 60_000;
/** The networks the model's uses come from; each use's address is taken from its network. */
const HOME = '198.51.100.0/24';
const AWAY = '203.0.113.0/24';
const EXPIRES_AFTER = 10 * MINUTE;
const ownerReasons = revokeReasons.filter((reason) => reason !== 'expired');
const events: CredentialEvent[] = [
  { type: 'GENERATE', at: 0, expiresAt: EXPIRES_AFTER },
  { type: 'USE', at: 1 * MINUTE, network: HOME, service: 'imap' },
  { type: 'USE', at: 3 * MINUTE, network: AWAY, service: 'imap' },
  ...ownerReasons.map((reason): CredentialEvent => ({ type: 'REVOKE', at: 5 * MINUTE, reason })),
  { type: 'EXPIRE', at: EXPIRES_AFTER },
];

const simplePaths = getSimplePaths(credentialMachine, { events }).filter(
  (path) => path.steps.length > 1, // the empty path (xstate.init only) runs nothing
);
const shortestPaths = getShortestPaths(credentialMachine, { events }).filter(
  (path) => path.steps.length > 1,
);
const describePath = (steps: { event: CredentialEvent | { type: string } }[]) =>
  steps
    .slice(1)
    .map(({ event }) => {
      const at = 'at' in event ? `@${event.at / MINUTE}m` : '';
      return 'reason' in event ? `${event.type}(${event.reason})${at}` : `${event.type}${at}`;
    })
    .join(' → ');

let t: TestSidekey;
beforeAll(async () => {
  t = await createTestSidekey();
});
afterAll(() => t?.dispose());

const imap = { service: 'imap' as const, address: '198.51.100.7', userAgent: 'Model mail' };

/** Who the services record for each revocation reason, as the flows that cause it do. */
const revocationActor: Record<RevokeReason, ActorMeta['actor']> = {
  user: 'owner',
  revoke_all: 'owner',
  password_changed: 'owner',
  password_reset: 'anonymous',
  two_factor_disabled: 'owner',
  admin: 'admin',
  expired: 'service',
};

interface AuditExpectation {
  action: string;
  fromState: string;
  toState: string;
  reason: string | null;
  actor: string;
}

async function runPath(steps: { event: CredentialEvent | { type: string } }[]) {
  const owner = await signUpOwner(t.sidekey);
  const start = t.clock.now.getTime();
  let credentialId = '';
  let password = '';
  let model: CredentialRecord = {
    state: 'new',
    expiresAt: null,
    firstUsedAt: null,
    lastUsedAt: null,
    revokedAt: null,
    revokeReason: null,
    knownNetworks: [],
    knownServices: [],
  };
  const expectedAudit: AuditExpectation[] = [];

  for (const { event: raw } of steps.slice(1)) {
    const event = raw as CredentialEvent;
    const absolute = shiftEvent(event, start);
    t.clock.now = new Date(absolute.at);
    const decision = decide(model, absolute);
    expect(decision.allowed, `the machine allows ${event.type} from ${model.state}`).toBe(true);
    if (!decision.allowed) return;

    const result = await perform(absolute, owner, { credentialId, password });
    if (absolute.type === 'GENERATE') {
      credentialId = result.generated!.id;
      password = result.generated!.password;
    }

    // verify answers as the machine says: a use is accepted, an expiry refused.
    if (absolute.type === 'USE') {
      expect(result.verified).toMatchObject({ ok: true, credentialId });
    }
    if (absolute.type === 'EXPIRE') {
      expect(result.verified).toEqual({ ok: false, reason: 'expired' });
    }

    await t.sidekey.uses.flush();
    if (decision.changed && decision.audited) {
      expectedAudit.push({
        action: absolute.type,
        fromState: decision.from,
        toState: decision.to,
        reason: decision.to === 'revoked' ? decision.context.revokeReason : null,
        actor: actorFor(absolute),
      });
    }
    model = { state: decision.to, ...decision.context };

    // The row holds what the machine predicts, field by field.
    const [row] = await t.database.db
      .select()
      .from(appPasswords)
      .where(eq(appPasswords.id, credentialId));
    expect(row, 'the credential row').toBeDefined();
    expect(rowModel(row!)).toEqual(model);

    // The audit trail grew by exactly the machine's steps, in order.
    const history = await t.sidekey.appPasswords.history(owner.accountId, credentialId);
    expect(
      history
        .filter((entry) => entry.toState !== null)
        .map(({ action, fromState, toState, reason, actor }) => ({
          action,
          fromState,
          toState,
          reason,
          actor,
        })),
    ).toEqual(expectedAudit);
  }

  // At the end of every path: what a revoked credential answers, and that it stays put.
  if (model.state === 'revoked') {
    // Without an address: the refusals of every path would add up in one address's
    // throttle and end in `throttled` rather than the answer the state gives.
    const verified = await t.sidekey.verify({
      username: owner.email,
      password,
      ...imap,
      address: null,
    });
    expect(verified).toEqual({
      ok: false,
      reason: model.revokeReason === 'expired' ? 'expired' : 'revoked',
    });
    await expect(
      t.sidekey.appPasswords.revoke(owner.accountId, credentialId, { actor: 'owner' }),
    ).rejects.toMatchObject({ reason: 'already_revoked' });
    expect(await t.sidekey.appPasswords.revokeAll(owner.accountId, { actor: 'owner' })).toEqual({
      revoked: 0,
    });
    const history = await t.sidekey.appPasswords.history(owner.accountId, credentialId);
    expect(history.filter((entry) => entry.toState !== null)).toHaveLength(expectedAudit.length);
  }
  t.clock.advance(EXPIRES_AFTER * 2); // the next path starts later, so time only moves forward
}

function shiftEvent(event: CredentialEvent, start: number): CredentialEvent {
  if (event.type === 'GENERATE') {
    return { ...event, at: start + event.at, expiresAt: start + event.expiresAt! };
  }
  return { ...event, at: start + event.at };
}

function actorFor(event: CredentialEvent): string {
  if (event.type === 'GENERATE') return 'owner';
  if (event.type === 'REVOKE') return revocationActor[event.reason];
  return 'service'; // USE and EXPIRE happen on a relying service's verification
}

/** The real operation behind each event: what an owner, an app or an account rule does. */
async function perform(
  event: CredentialEvent,
  owner: Awaited<ReturnType<typeof signUpOwner>>,
  credential: { credentialId: string; password: string },
): Promise<{
  generated?: { id: string; password: string };
  verified?: VerifyResult;
}> {
  const { sidekey } = t;
  switch (event.type) {
    case 'GENERATE':
      return {
        generated: await sidekey.appPasswords.generate(
          owner.accountId,
          { label: 'Model path', expiresAt: new Date(event.expiresAt!) },
          { actor: 'owner' },
        ),
      };
    case 'USE':
    case 'EXPIRE':
      // Both are a login by an app; the clock decides whether it is a use or an expiry.
      return {
        verified: await sidekey.verify({
          username: owner.email,
          password: credential.password,
          ...imap,
          ...(event.type === 'USE' && event.network
            ? { address: event.network.replace('0/24', '7'), service: event.service as 'imap' }
            : {}),
        }),
      };
    case 'REVOKE': {
      const meta = { actor: revocationActor[event.reason], address: '192.0.2.44' };
      // Each reason through the real flow that causes it (revoke one or all; password change and reset; two-factor off).
      switch (event.reason) {
        case 'admin':
          await sidekey.appPasswords.revokeAsAdmin(credential.credentialId, meta);
          break;
        case 'user':
          await sidekey.appPasswords.revoke(
            owner.accountId,
            credential.credentialId,
            meta,
            event.reason,
          );
          break;
        case 'revoke_all':
          expect(await sidekey.appPasswords.revokeAll(owner.accountId, meta)).toEqual({
            revoked: 1,
          });
          break;
        case 'password_changed':
          expect(
            await sidekey.passwords.changePassword(
              owner.accountId,
              owner.session.id,
              { currentPassword: owner.password, newPassword: `${owner.password} but changed` },
              meta,
            ),
          ).toMatchObject({ revokedAppPasswords: 1 });
          break;
        case 'password_reset': {
          await sidekey.passwords.requestPasswordReset({ email: owner.email }, meta);
          await sidekey.mailer.settled();
          const mail = (await sidekey.mailer.list({ limit: 1000 })).find(
            (message) => message.recipient === owner.email && /#token=/.test(message.body),
          );
          const token = mail?.body.match(/#token=([A-Za-z0-9_-]{43})/)?.[1];
          expect(token, 'the reset link was mailed').toBeDefined();
          expect(
            await sidekey.passwords.resetPassword(
              { token: token!, newPassword: `${owner.password} after a reset` },
              meta,
            ),
          ).toEqual({ revokedAppPasswords: 1 });
          break;
        }
        case 'two_factor_disabled':
          expect(await sidekey.twoFactor.disable(owner.accountId, meta)).toEqual({
            revokedAppPasswords: 1,
          });
          break;
        default:
          throw new Error(`No flow revokes with reason ${event.reason}.`);
      }
      return {};
    }
  }
}

function rowModel(row: typeof appPasswords.$inferSelect): CredentialRecord {
  const ms = (date: Date | null) => date?.getTime() ?? null;
  const context: CredentialContext = {
    expiresAt: ms(row.expiresAt),
    firstUsedAt: ms(row.firstUsedAt),
    lastUsedAt: ms(row.lastUsedAt),
    revokedAt: ms(row.revokedAt),
    revokeReason: row.revokeReason,
    knownNetworks: row.knownNetworks,
    knownServices: row.knownServices,
  };
  return { state: row.state, ...context };
}

describe('the lifecycle paths, generated from the machine, on the real services', () => {
  it('the generated paths cover every state and every edge that writes', () => {
    const graph = credentialLifecycleGraph();
    const reached = new Set(simplePaths.map((path) => String(path.state.value)));
    expect(reached).toEqual(
      new Set(graph.states.filter((s) => s.initial === false).map((s) => s.id)),
    );
    const taken = new Set(
      simplePaths.flatMap((path) =>
        path.steps.slice(1).map((step, i) => {
          const from = String(path.steps[i]!.state.value);
          return `${from}→${String(step.state.value)}:${step.event.type}`;
        }),
      ),
    );
    for (const edge of graph.transitions.filter((e) => e.actions.length > 0)) {
      expect(taken, `${edge.source} → ${edge.target} on ${edge.event}`).toContain(
        `${edge.source}→${edge.target}:${edge.event}`,
      );
    }
  });

  it.each(shortestPaths.map((path) => [describePath(path.steps), path.steps] as const))(
    'shortest path: %s',
    async (_name, steps) => {
      await runPath(steps);
    },
  );

  it.each(simplePaths.map((path) => [describePath(path.steps), path.steps] as const))(
    'simple path: %s',
    async (_name, steps) => {
      await runPath(steps);
    },
  );

  it('a routine use from a known network is telemetry: last-used moves, no audit row, as the machine’s unguarded loop says', async () => {
    const steps = [
      { event: { type: 'xstate.init' } },
      { event: events[0]! },
      { event: events[1]! },
      // From the same network for the same service: active → active, not audited.
      { event: { type: 'USE', at: 2 * MINUTE, network: HOME, service: 'imap' } },
      { event: events[2]! },
      { event: { type: 'USE', at: 4 * MINUTE, network: HOME, service: 'imap' } },
    ];
    await runPath(steps);
  });
});
