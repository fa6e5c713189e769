import {
  ACTIVITY_MAX_LIMIT,
  APP_PASSWORD_SCOPES,
  DEFAULT_SCOPES,
  MAX_ACTIVE_APP_PASSWORDS,
  type AppPasswordScope,
} from '@sidekey/core';
import { redirect, type RequestEvent } from '@sveltejs/kit';
import { describeActivity } from '$lib/activity';
import { deviceInWords } from '$lib/format';
import { connectKit } from '$lib/server/connect';
import { failMissing, failWith, problemOf } from '$lib/server/problems';
import {
  refreshSession,
  serverCaller,
  withReauthentication,
  type ServerCaller,
} from '$lib/server/trpc';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
  const { locals, url } = event;
  // Without JavaScript the page is rendered in the same request as the form action, which
  // may have changed the account (two-factor on, password changed): read the session again.
  if (event.request.method === 'POST') await refreshSession(event);
  if (!locals.context.auth) redirect(303, '/sign-in');
  const caller = serverCaller(event);
  const [session, passwords, sessions, activity] = await Promise.all([
    caller.auth.session(),
    caller.appPasswords.list(),
    caller.auth.sessions(),
    caller.account.activity({ limit: ACTIVITY_MAX_LIMIT }),
  ]);
  if (!session) redirect(303, '/sign-in');
  return {
    session,
    passwords,
    notes: passwordNotes(activity),
    sessions,
    activity: activity.slice(0, 20).map((event) => ({
      id: String(event.id),
      at: event.at,
      sentence: describeActivity(event),
    })),
    limit: MAX_ACTIVE_APP_PASSWORDS,
    // The generate form's choices come from core, so the page never restates the list.
    scopes: { all: APP_PASSWORD_SCOPES, preselected: DEFAULT_SCOPES },
    now: locals.context.sidekey.deps.now(),
    welcome: url.searchParams.has('welcome'),
    // Without JavaScript, a dialog is a page state chosen by a link (?generate, ?remove=…).
    dialog: {
      generate: url.searchParams.has('generate'),
      // A suggested app chosen by its link (?generate&app=davx5): the form opens filled in.
      app: url.searchParams.get('app'),
      remove: url.searchParams.get('remove'),
      revokeAll: url.searchParams.has('revoke-all'),
      turnOffTwoFactor: url.searchParams.has('turn-off-two-factor'),
    },
  };
};

/**
 * Runs a sensitive procedure. When the form carried a password (and code), confirms it
 * first; when the server still wants a confirmation, the form answers with the reason
 * `reauthentication_required` and the page asks for the password.
 */
async function sensitive<F extends string, T extends Record<string, unknown>, R>(
  event: RequestEvent,
  form: FormData,
  name: F,
  echo: T,
  run: (caller: ServerCaller) => Promise<R>,
) {
  const password = String(form.get('password') ?? '');
  const code = String(form.get('code') ?? '');
  try {
    const value = await withReauthentication(event, password ? { password, code } : null, run);
    return { ok: true as const, value };
  } catch (error) {
    return { ok: false as const, failure: failWith(name, error, echo) };
  }
}

// `satisfies`, not a type annotation: the generated ActionData is then each action's own
// answer, which is what the account components take as their `form`.
export const actions = {
  generate: async (event) => {
    const form = await event.request.formData();
    const label = String(form.get('label') ?? '');
    // Only the type is asserted: the API's input validation refuses any other scope.
    const scopes = form.getAll('scopes').map(String) as AppPasswordScope[];
    const expiresInDays = String(form.get('expiresInDays') ?? '');
    const echo = { label, scopes, expiresInDays };
    if (scopes.length === 0) {
      return failMissing(
        'generate',
        'scopes',
        'Choose at least one thing the app may reach.',
        echo,
      );
    }
    const days = expiresInDays ? Number(expiresInDays) : null;
    if (days !== null && !EXPIRY_DAYS.includes(days)) {
      return failMissing(
        'generate',
        'expiresInDays',
        'Choose when the password stops working.',
        echo,
      );
    }
    const now = event.locals.context.sidekey.deps.now();
    const expiresAt = days === null ? undefined : new Date(now.getTime() + days * 86_400_000);
    const result = await sensitive(event, form, 'generate', echo, (caller) =>
      caller.appPasswords.generate({ label, scopes, expiresAt }),
    );
    if (!result.ok) return result.failure;
    const generated = result.value;
    const account = event.locals.context.auth!.account;
    const connect = await connectKit(event, {
      accountId: account.id,
      email: account.email,
      credentialId: generated.id,
      label: generated.label,
      scopes: generated.scopes,
      password: generated.password,
    });
    return {
      form: 'generate' as const,
      generated: {
        id: generated.id,
        label: generated.label,
        password: generated.password,
        connect,
      },
    };
  },

  revoke: async (event) => {
    const form = await event.request.formData();
    const id = String(form.get('id') ?? '');
    try {
      const revoked = await serverCaller(event).appPasswords.revoke({ id });
      return {
        form: 'revoke' as const,
        success: `“${revoked.label}” was revoked. The app using it is signed out.`,
      };
    } catch (error) {
      return failWith('revoke', error);
    }
  },

  rename: async (event) => {
    const form = await event.request.formData();
    const id = String(form.get('id') ?? '');
    const label = String(form.get('label') ?? '');
    try {
      const renamed = await serverCaller(event).appPasswords.rename({ id, label });
      return { form: 'rename' as const, id, success: `Renamed to “${renamed.label}”.` };
    } catch (error) {
      // Every refusal here is about the label: shown once, beside that row's field.
      const problem = problemOf(error);
      const message = problem.fieldErrors.label?.[0] ?? problem.message;
      return failWith('rename', error, { id, label, fieldErrors: { label: [message] } });
    }
  },

  revokeAll: async (event) => {
    const form = await event.request.formData();
    const result = await sensitive(event, form, 'revokeAll', {}, (caller) =>
      caller.appPasswords.revokeAll(),
    );
    if (!result.ok) return result.failure;
    const { revoked } = result.value;
    return {
      form: 'revokeAll' as const,
      success:
        revoked === 1
          ? 'One app password was revoked. The app using it is signed out.'
          : `${revoked} app passwords were revoked. The apps using them are signed out.`,
    };
  },

  beginTwoFactor: async (event) => {
    const form = await event.request.formData();
    const result = await sensitive(event, form, 'twoFactor', {}, (caller) =>
      caller.twoFactor.beginEnrollment(),
    );
    if (!result.ok) return result.failure;
    const { secret, otpauthUri, qrSvg } = result.value;
    return {
      form: 'twoFactor' as const,
      enrollment: {
        secret,
        otpauthUri,
        // As an image, the QR code's markup can never run as part of the page.
        qrImage: `data:image/svg+xml;base64,${Buffer.from(qrSvg).toString('base64')}`,
      },
    };
  },

  confirmTwoFactor: async (event) => {
    const form = await event.request.formData();
    const code = String(form.get('code') ?? '').trim();
    const enrollment = {
      secret: form.get('secret'),
      otpauthUri: form.get('otpauthUri'),
      qrImage: form.get('qrImage'),
    };
    try {
      const { recoveryCodes } = await serverCaller(event).twoFactor.confirmEnrollment({ code });
      return {
        form: 'twoFactor' as const,
        recoveryCodes,
        success: 'Two-factor authentication is on.',
      };
    } catch (error) {
      // Keep showing the same QR code so the owner can try the next code.
      return failWith('twoFactor', error, { enrollment: validEnrollment(enrollment) });
    }
  },

  regenerateRecoveryCodes: async (event) => {
    const form = await event.request.formData();
    const result = await sensitive(event, form, 'recoveryCodes', {}, (caller) =>
      caller.twoFactor.regenerateRecoveryCodes(),
    );
    if (!result.ok) return result.failure;
    return {
      form: 'twoFactor' as const,
      recoveryCodes: result.value.recoveryCodes,
      success: 'New recovery codes were made; the old ones no longer work.',
    };
  },

  disableTwoFactor: async (event) => {
    const form = await event.request.formData();
    const result = await sensitive(event, form, 'disableTwoFactor', {}, (caller) =>
      caller.twoFactor.disable(),
    );
    if (!result.ok) return result.failure;
    const revoked = result.value.revokedAppPasswords;
    return {
      form: 'twoFactor' as const,
      success: `Two-factor authentication is off.${revoked ? ` ${revoked === 1 ? 'One app password was' : `${revoked} app passwords were`} revoked.` : ''}`,
    };
  },

  changePassword: async (event) => {
    const form = await event.request.formData();
    const currentPassword = String(form.get('currentPassword') ?? '');
    const newPassword = String(form.get('newPassword') ?? '');
    const code = String(form.get('code') ?? '');
    try {
      // The current password the form asks for anyway is the confirmation (with the code,
      // when two-factor is on), so the owner is never asked for the password twice.
      const result = await withReauthentication(
        event,
        { password: currentPassword, code },
        (caller) => caller.account.changePassword({ currentPassword, newPassword }),
      );
      const revoked = result.revokedAppPasswords;
      return {
        form: 'changePassword' as const,
        success: `Your password was changed.${revoked ? ` ${revoked === 1 ? 'One app password was' : `${revoked} app passwords were`} revoked: generate new ones for the apps you still use.` : ''}`,
      };
    } catch (error) {
      const problem = problemOf(error);
      // The current password is checked by re-authentication: point at that field.
      if (problem.reason === 'wrong_credentials') {
        problem.fieldErrors.currentPassword = ['That is not your current password.'];
      }
      return failWith('changePassword', error, { fieldErrors: problem.fieldErrors });
    }
  },

  signOutOthers: async (event) => {
    try {
      const { ended } = await serverCaller(event).auth.signOutOthers();
      return {
        form: 'sessions' as const,
        success:
          ended === 0
            ? 'There were no other sessions.'
            : `Signed out ${ended === 1 ? 'one other session' : `${ended} other sessions`}.`,
      };
    } catch (error) {
      return failWith('sessions', error);
    }
  },
} satisfies Actions;

/** The expiries the generate form offers, in days. */
const EXPIRY_DAYS = [30, 90, 365];

/** What the audit log says about a password beyond its row: a refusal, the app's own name. */
interface PasswordNotes {
  refused?: { at: Date; service: string | null; userAgent: string | null };
  userAgent?: string | null;
}

/**
 * Per password, from the audit log: the latest refusal for a scope it lacks (an app
 * reaching for data the owner did not allow) and the name the app last reported.
 */
function passwordNotes(
  activity: Array<{
    action: string;
    at: Date;
    credentialId: string | null;
    service: string | null;
    userAgent: string | null;
  }>,
): Record<string, PasswordNotes> {
  const notes: Record<string, PasswordNotes> = {};
  // Newest first: the first event seen for a password is its latest.
  for (const event of activity) {
    if (!event.credentialId) continue;
    const note = (notes[event.credentialId] ??= {});
    if (event.action === 'scope_denied' && !note.refused) {
      note.refused = { at: event.at, service: event.service, userAgent: event.userAgent };
    }
    if (event.action === 'USE' && note.userAgent === undefined && event.userAgent) {
      note.userAgent = appName(event.userAgent);
    }
  }
  return notes;
}

/** A mail client's own name from its user agent ("Thunderbird"), else the browser family. */
function appName(userAgent: string): string {
  const known = /(Thunderbird|K-9 Mail|DAVx5|DAVdroid|Evolution|Outlook|iOS|macOS)/i.exec(
    userAgent,
  );
  return known ? known[1]! : deviceInWords(userAgent);
}

/** The enrollment the form carried back (without JavaScript), shown again only if well-formed. */
function validEnrollment({ secret, otpauthUri, qrImage }: Record<string, unknown>) {
  if (
    typeof secret !== 'string' ||
    typeof otpauthUri !== 'string' ||
    typeof qrImage !== 'string' ||
    !qrImage.startsWith('data:image/svg+xml;base64,')
  ) {
    return null;
  }
  return { secret, otpauthUri, qrImage };
}
