import {
  accounts,
  appPasswords,
  appPasswordScopes,
  auditEvents,
  LABEL_MAX_LENGTH,
  type DbOrTx,
} from '@sidekey/db';
import { decide, type RevokeReason } from '@sidekey/lifecycle';
import { and, asc, count, desc, eq, lte, ne, sql } from 'drizzle-orm';
import { recordAudit } from '../audit.ts';
import type { ActorMeta, Deps } from '../deps.ts';
import { notFound, SidekeyError } from '../errors.ts';
import { keyedHash } from '../secrets/server-keys.ts';
import { generateAppPassword } from './format.ts';
import { applyCredentialEvent, type AppPasswordRow } from './transition.ts';

/** At most 25 live app passwords per account, the limit owners know from the large providers. */
export const MAX_ACTIVE_APP_PASSWORDS = 25;
export const DEFAULT_SCOPES = [
  'mail',
  'contacts',
  'calendars',
] as const satisfies readonly AppPasswordScope[];
export const LOOKUP_HASH_PURPOSE = 'app-password';

/** What an app password may reach; the column's CHECK constraint holds the same list. */
export const APP_PASSWORD_SCOPES = appPasswordScopes;
export type AppPasswordScope = (typeof appPasswordScopes)[number];

export interface GenerateInput {
  label: string;
  scopes?: AppPasswordScope[];
  expiresAt?: Date | null;
}

/** What the owner may see of a credential: never its secret or its hash. */
export interface AppPasswordSummary {
  id: string;
  label: string;
  scopes: AppPasswordScope[];
  state: AppPasswordRow['state'];
  createdAt: Date;
  expiresAt: Date | null;
  firstUsedAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedService: string | null;
  lastUsedAddress: string | null;
  revokedAt: Date | null;
  revokeReason: AppPasswordRow['revokeReason'];
}

/** Called inside generate's transaction with the locked account row; throws to refuse. */
export type GeneratePrecondition = (account: typeof accounts.$inferSelect) => void;

export function appPasswordService(
  deps: Deps,
  options: { generatePreconditions?: GeneratePrecondition[] } = {},
) {
  const { db, keys, now } = deps;
  const preconditions = options.generatePreconditions ?? [];

  async function generate(accountId: string, input: GenerateInput, meta: ActorMeta) {
    const label = normaliseLabel(input.label);
    const scopes = normaliseScopes(input.scopes);
    const at = now();
    if (input.expiresAt && input.expiresAt <= at) {
      throw new SidekeyError(
        'BAD_REQUEST',
        'The expiry date must be in the future.',
        'invalid_expiry',
      );
    }
    const secret = generateAppPassword();
    const key = keys.current;

    const row = await db.transaction(async (tx) => {
      // Locking the account row serialises generate per account, so the count below
      // cannot be raced (count-then-insert alone breaks under READ COMMITTED).
      const [account] = await tx
        .select()
        .from(accounts)
        .where(eq(accounts.id, accountId))
        .for('update');
      if (!account) throw notFound('Account');
      for (const check of preconditions) check(account);
      await expireDue(tx, accountId, at);
      // Under the account lock, so two concurrent requests cannot both take one label.
      await refuseLabelClash(tx, accountId, label);

      const [active] = await tx
        .select({ n: count() })
        .from(appPasswords)
        .where(and(eq(appPasswords.accountId, accountId), ne(appPasswords.state, 'revoked')));
      if ((active?.n ?? 0) >= MAX_ACTIVE_APP_PASSWORDS) {
        throw new SidekeyError(
          'PRECONDITION_FAILED',
          `You already have ${MAX_ACTIVE_APP_PASSWORDS} app passwords, the most an account can have. Revoke one you no longer use, then generate a new one.`,
          'limit_reached',
        );
      }

      const decision = decide(
        {
          state: 'new',
          expiresAt: null,
          firstUsedAt: null,
          lastUsedAt: null,
          revokedAt: null,
          revokeReason: null,
          knownNetworks: [],
          knownServices: [],
        },
        { type: 'GENERATE', at: at.getTime(), expiresAt: input.expiresAt?.getTime() ?? null },
      );
      if (!decision.allowed) throw new Error('The lifecycle refused GENERATE on a new credential.');

      const [inserted] = await tx
        .insert(appPasswords)
        .values({
          accountId,
          label,
          scopes,
          state: decision.to,
          lookupHash: keyedHash(key, LOOKUP_HASH_PURPOSE, secret.canonical),
          keyId: key.id,
          createdAt: at,
          expiresAt: input.expiresAt ?? null,
        })
        .returning();
      await recordAudit(tx, {
        ...meta,
        accountId,
        credentialId: inserted!.id,
        action: 'GENERATE',
        fromState: decision.from,
        toState: decision.to,
        details: { label, scopes },
      });
      return inserted!;
    });
    deps.log.info({ accountId, credentialId: row.id }, 'app password generated');
    // The only time the secret leaves this function: shown once, never stored in clear.
    return { ...summarise(row), password: secret.display };
  }

  async function list(accountId: string): Promise<AppPasswordSummary[]> {
    await expireDue(db, accountId, now());
    const rows = await db
      .select()
      .from(appPasswords)
      .where(eq(appPasswords.accountId, accountId))
      .orderBy(desc(appPasswords.createdAt), desc(appPasswords.id));
    return rows.map(summarise);
  }

  async function revoke(
    accountId: string,
    credentialId: string,
    meta: ActorMeta,
    reason: RevokeReason = 'user',
  ) {
    const outcome = await db.transaction(async (tx) => {
      // Locked, so a first use committing meanwhile cannot make the decision stale.
      const row = await findOwned(tx, accountId, credentialId, { lock: true });
      return applyCredentialEvent(tx, row, { type: 'REVOKE', at: now().getTime(), reason }, meta);
    });
    if (!outcome.applied) {
      throw new SidekeyError(
        'CONFLICT',
        `“${outcome.row.label}” is already revoked.`,
        'already_revoked',
      );
    }
    deps.log.info({ accountId, credentialId, reason }, 'app password revoked');
    return summarise(outcome.row);
  }

  /**
   * An administrator cuts off one app password of any owner (a leaked password reported
   * to the operator, an owner who cannot sign in): reason `admin`, audited with the admin
   * as actor and the owner's account, announced like any revocation.
   */
  async function revokeAsAdmin(credentialId: string, meta: ActorMeta) {
    if (!UUID.test(credentialId)) throw notFound('App password');
    const outcome = await db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(appPasswords)
        .where(eq(appPasswords.id, credentialId))
        .for('update');
      if (!row) throw notFound('App password');
      return applyCredentialEvent(
        tx,
        row,
        { type: 'REVOKE', at: now().getTime(), reason: 'admin' },
        meta,
      );
    });
    if (!outcome.applied) {
      throw new SidekeyError(
        'CONFLICT',
        `“${outcome.row.label}” is already revoked.`,
        'already_revoked',
      );
    }
    deps.log.info(
      { accountId: outcome.row.accountId, credentialId, reason: 'admin' },
      'app password revoked by an admin',
    );
    return { accountId: outcome.row.accountId, ...summarise(outcome.row) };
  }

  async function revokeAll(
    accountId: string,
    meta: ActorMeta,
    reason: RevokeReason = 'revoke_all',
  ) {
    const revoked = await db.transaction((tx) =>
      revokeAllForAccount(tx, accountId, reason, meta, now()),
    );
    deps.log.info({ accountId, reason, revoked }, 'all app passwords revoked');
    return { revoked };
  }

  async function history(accountId: string, credentialId: string) {
    await findOwned(db, accountId, credentialId);
    return db
      .select({
        id: auditEvents.id,
        at: auditEvents.at,
        actor: auditEvents.actor,
        action: auditEvents.action,
        fromState: auditEvents.fromState,
        toState: auditEvents.toState,
        reason: auditEvents.reason,
        service: auditEvents.service,
        address: auditEvents.address,
        userAgent: auditEvents.userAgent,
      })
      .from(auditEvents)
      .where(eq(auditEvents.credentialId, credentialId))
      .orderBy(asc(auditEvents.id));
  }

  /** Someone else's id answers exactly like an unknown one: NOT_FOUND, no hint it exists. */
  async function findOwned(
    tx: DbOrTx,
    accountId: string,
    credentialId: string,
    options: { lock?: boolean } = {},
  ): Promise<AppPasswordRow> {
    const query = tx
      .select()
      .from(appPasswords)
      .where(and(eq(appPasswords.id, credentialId), eq(appPasswords.accountId, accountId)));
    const [row] = options.lock ? await query.for('update') : await query;
    if (!row) throw notFound('App password');
    return row;
  }

  /**
   * A new label for a password still in use (the app keeps working). Labels are unique
   * among an owner's working passwords, whatever the case: two alike could not be told
   * apart in the list, in mail or in the activity.
   */
  async function rename(accountId: string, credentialId: string, raw: string, meta: ActorMeta) {
    const label = normaliseLabel(raw);
    const row = await db.transaction(async (tx) => {
      const current = await findOwned(tx, accountId, credentialId, { lock: true });
      if (current.state === 'revoked') {
        throw new SidekeyError('CONFLICT', `“${current.label}” is revoked.`, 'already_revoked');
      }
      await refuseLabelClash(tx, accountId, label, credentialId);
      const [updated] = await tx
        .update(appPasswords)
        .set({ label })
        .where(eq(appPasswords.id, credentialId))
        .returning();
      await recordAudit(tx, {
        ...meta,
        accountId,
        credentialId,
        action: 'renamed',
        details: { from: current.label, to: label },
      });
      return updated!;
    });
    return summarise(row);
  }

  return { generate, list, revoke, revokeAsAdmin, revokeAll, history, rename };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Revokes every live credential of an account inside the caller's transaction, so an
 * account rule (password change, reset, two-factor off) and the revocations commit together.
 */
export async function revokeAllForAccount(
  tx: DbOrTx,
  accountId: string,
  reason: RevokeReason,
  meta: ActorMeta,
  at: Date,
): Promise<number> {
  const live = await tx
    .select()
    .from(appPasswords)
    .where(and(eq(appPasswords.accountId, accountId), ne(appPasswords.state, 'revoked')))
    .for('update');
  let revoked = 0;
  for (const row of live) {
    const outcome = await applyCredentialEvent(
      tx,
      row,
      { type: 'REVOKE', at: at.getTime(), reason },
      meta,
    );
    if (outcome.applied) revoked++;
  }
  return revoked;
}

/** Credentials whose expiry has passed become revoked (reason expired) before they are counted or shown. */
async function expireDue(db: DbOrTx, accountId: string, at: Date): Promise<void> {
  const due = await db
    .select()
    .from(appPasswords)
    .where(
      and(
        eq(appPasswords.accountId, accountId),
        ne(appPasswords.state, 'revoked'),
        lte(appPasswords.expiresAt, at),
      ),
    );
  for (const row of due) {
    await applyCredentialEvent(db, row, { type: 'EXPIRE', at: at.getTime() }, { actor: 'system' });
  }
}

/**
 * A label names one live password: two called the same (in any case) could not be told
 * apart in the list, nor in the mail that reports a use. `except`: the password being renamed.
 */
export async function refuseLabelClash(
  db: DbOrTx,
  accountId: string,
  label: string,
  except?: string,
): Promise<void> {
  const [clash] = await db
    .select({ id: appPasswords.id })
    .from(appPasswords)
    .where(
      and(
        eq(appPasswords.accountId, accountId),
        ne(appPasswords.state, 'revoked'),
        except ? ne(appPasswords.id, except) : undefined,
        sql`lower(${appPasswords.label}) = lower(${label})`,
      ),
    )
    .limit(1);
  if (clash) {
    throw new SidekeyError(
      'CONFLICT',
      `You already have a password called “${label}”. Choose another label, or revoke the old one first.`,
      'duplicate_label',
    );
  }
}

export function normaliseLabel(raw: string): string {
  const nfc = raw.normalize('NFC');
  // Unicode format characters (category Cf: bidi overrides and isolates, zero-width
  // spaces and joiners, the BOM, soft hyphens) are invisible or reorder the text around
  // them, so “Thunderbird\u202Egnp.exe” would show in the list and in notice mails as
  // something it is not (Unicode TR #36). Checked before trimming, which drops a BOM.
  if (/\p{Cf}/u.test(nfc)) {
    throw new SidekeyError(
      'BAD_REQUEST',
      'A label cannot contain invisible formatting characters (such as direction overrides or zero-width spaces); type it again by hand.',
      'invalid_label',
    );
  }
  const label = nfc.trim().replace(/\s+/g, ' ');
  if (label.length === 0) {
    throw new SidekeyError(
      'BAD_REQUEST',
      'Give the app password a label, such as the name of the app that will use it.',
      'invalid_label',
    );
  }
  if (label.length > LABEL_MAX_LENGTH) {
    throw new SidekeyError(
      'BAD_REQUEST',
      `A label can be at most ${LABEL_MAX_LENGTH} characters long.`,
      'invalid_label',
    );
  }
  // Control characters would corrupt the list, logs and mail notices.
  if (/\p{Cc}/u.test(label)) {
    throw new SidekeyError(
      'BAD_REQUEST',
      'A label cannot contain control characters.',
      'invalid_label',
    );
  }
  return label;
}

function normaliseScopes(scopes: AppPasswordScope[] | undefined): AppPasswordScope[] {
  if (scopes === undefined) return [...DEFAULT_SCOPES];
  const unique = [...new Set(scopes)];
  if (unique.length === 0) {
    throw new SidekeyError(
      'BAD_REQUEST',
      'Choose at least one scope (mail, contacts, calendars or files).',
      'invalid_scopes',
    );
  }
  const unknown = unique.filter(
    (scope) => !(appPasswordScopes as readonly string[]).includes(scope),
  );
  if (unknown.length > 0) {
    throw new SidekeyError(
      'BAD_REQUEST',
      `Unknown scope: ${unknown.join(', ')}. Use mail, contacts, calendars or files.`,
      'invalid_scopes',
    );
  }
  return unique;
}

export function summarise(row: AppPasswordRow): AppPasswordSummary {
  return {
    id: row.id,
    label: row.label,
    scopes: row.scopes,
    state: row.state,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    firstUsedAt: row.firstUsedAt,
    lastUsedAt: row.lastUsedAt,
    lastUsedService: row.lastUsedService,
    lastUsedAddress: row.lastUsedAddress,
    revokedAt: row.revokedAt,
    revokeReason: row.revokeReason,
  };
}
