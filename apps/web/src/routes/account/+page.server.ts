import { MAX_ACTIVE_APP_PASSWORDS } from '@sidekey/core';
import { redirect, type RequestEvent } from '@sveltejs/kit';
import { describeActivity } from '$lib/activity';
import { failMissing, failWith, problemOf } from '$lib/server/problems';
import { refreshSession, serverCaller, type ServerCaller } from '$lib/server/trpc';
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
    caller.account.activity({ limit: 20 }),
  ]);
  if (!session) redirect(303, '/sign-in');
  return {
    session,
    passwords,
    sessions,
    activity: activity.map((event) => ({
      id: String(event.id),
      at: event.at,
      sentence: describeActivity(event),
    })),
    limit: MAX_ACTIVE_APP_PASSWORDS,
    now: locals.context.sidekey.deps.now(),
    welcome: url.searchParams.has('welcome'),
    // Without JavaScript, a dialog is a page state chosen by a link (?generate, ?remove=…).
    dialog: {
      generate: url.searchParams.has('generate'),
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
async function sensitive<T extends Record<string, unknown>, R>(
  event: RequestEvent,
  form: FormData,
  name: string,
  echo: T,
  run: (caller: ServerCaller) => Promise<R>,
) {
  const password = String(form.get('password') ?? '');
  const code = String(form.get('code') ?? '').trim();
  try {
    if (password) {
      await serverCaller(event).auth.reauthenticate({ password, code: code || undefined });
      await refreshSession(event);
    }
    return { ok: true as const, value: await run(serverCaller(event)) };
  } catch (error) {
    return { ok: false as const, failure: failWith(name, error, echo) };
  }
}

export const actions: Actions = {
  generate: async (event) => {
    const form = await event.request.formData();
    const label = String(form.get('label') ?? '');
    const scopes = form.getAll('scopes').map(String) as Array<
      'mail' | 'contacts' | 'calendars' | 'files'
    >;
    if (scopes.length === 0) {
      return failMissing('generate', 'scopes', 'Choose at least one thing the app may reach.');
    }
    const result = await sensitive(event, form, 'generate', { label, scopes }, (caller) =>
      caller.appPasswords.generate({ label, scopes }),
    );
    if (!result.ok) return result.failure;
    const generated = result.value;
    return {
      form: 'generate',
      generated: { id: generated.id, label: generated.label, password: generated.password },
    };
  },

  revoke: async (event) => {
    const form = await event.request.formData();
    const id = String(form.get('id') ?? '');
    try {
      const revoked = await serverCaller(event).appPasswords.revoke({ id });
      return {
        form: 'revoke',
        success: `“${revoked.label}” was removed. The app using it is signed out.`,
      };
    } catch (error) {
      return failWith('revoke', error);
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
      form: 'revokeAll',
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
      form: 'twoFactor',
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
      return { form: 'twoFactor', recoveryCodes, success: 'Two-factor authentication is on.' };
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
      form: 'twoFactor',
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
      form: 'twoFactor',
      success: `Two-factor authentication is off.${revoked ? ` ${revoked === 1 ? 'One app password was' : `${revoked} app passwords were`} revoked.` : ''}`,
    };
  },

  changePassword: async (event) => {
    const form = await event.request.formData();
    const currentPassword = String(form.get('currentPassword') ?? '');
    const newPassword = String(form.get('newPassword') ?? '');
    const code = String(form.get('code') ?? '').trim();
    try {
      const caller = serverCaller(event);
      await caller.auth.reauthenticate({ password: currentPassword, code: code || undefined });
      await refreshSession(event);
      const result = await serverCaller(event).account.changePassword({
        currentPassword,
        newPassword,
      });
      const revoked = result.revokedAppPasswords;
      return {
        form: 'changePassword',
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
        form: 'sessions',
        success:
          ended === 0
            ? 'There were no other sessions.'
            : `Signed out ${ended === 1 ? 'one other session' : `${ended} other sessions`}.`,
      };
    } catch (error) {
      return failWith('sessions', error);
    }
  },
};

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
