import { approximateAddress, revokeReasonInWords, serviceInWords } from './format.ts';

/** One audit event as account.activity returns it. */
export interface ActivityEvent {
  action: string;
  actor?: string | null;
  label?: string | null;
  service?: string | null;
  address?: string | null;
  reason?: string | null;
  fromState?: string | null;
  toState?: string | null;
}

function quoted(label: string | null | undefined): string {
  return label ? `“${label}”` : 'An app password';
}

function from(address: string | null | undefined): string {
  const network = approximateAddress(address);
  return network ? ` from ${network}` : '';
}

function via(service: string | null | undefined): string {
  const words = serviceInWords(service);
  return words ? ` (${words})` : '';
}

/**
 * The audit trail as sentences a person reads: "“Thunderbird” (mail) first used from
 * 203.0.113.0/24". Unknown actions still read as words, so a new kind of event never
 * shows up as a code.
 */
export function describeActivity(event: ActivityEvent): string {
  const where = from(event.address);
  switch (event.action) {
    case 'GENERATE':
      return `You generated ${quoted(event.label)}${where}`;
    case 'USE':
      return event.fromState === 'pending'
        ? `${quoted(event.label)}${via(event.service)} first used${where}`
        : `${quoted(event.label)}${via(event.service)} used${where} (a new network or service)`;
    case 'REVOKE':
      return `${quoted(event.label)} revoked: ${revokeReasonInWords(event.reason)}`;
    case 'EXPIRE':
      return `${quoted(event.label)} expired`;
    case 'renamed':
      return `You renamed an app password to ${quoted(event.label)}${where}`;
    case 'scope_denied':
      return `${quoted(event.label)} was refused for ${serviceInWords(event.service) ?? 'a service'} it may not use${where}`;
    case 'sign_up':
      return `You created your account${where}`;
    case 'sign_in':
      return `You signed in${where}`;
    case 'sign_in_failed':
      return `A sign-in failed${where}`;
    case 'sign_out':
      return `You signed out${where}`;
    case 'reauthenticate':
      return `You confirmed your password${where}`;
    case 'reauthenticate_failed':
      return `A password confirmation failed${where}`;
    case 'two_factor_enabled':
      return `You turned on two-factor authentication${where}`;
    case 'two_factor_disabled':
      return `You turned off two-factor authentication${where}`;
    case 'recovery_codes_regenerated':
      return `You made new recovery codes${where}`;
    case 'recovery_code_used':
      return `A recovery code was used to sign in${where}`;
    case 'password_changed':
      return `You changed your password${where}`;
    case 'password_reset_requested':
      return `A password reset link was requested${where}`;
    case 'password_reset':
      return `Your password was reset${where}`;
    case 'signed_out_others':
      return `You signed out your other sessions${where}`;
    case 'two_factor_enrollment_started':
      return `You started turning on two-factor authentication${where}`;
    case 'password_change_failed':
      return `A password change failed${where}`;
    case 'account_locked':
      return `Sign-in was paused after too many failed attempts${where}`;
    case 'service_key_created':
      return `A service was allowed to check app passwords${where}`;
    case 'service_key_revoked':
      return `A service was no longer allowed to check app passwords${where}`;
    case 'connect_request_approved':
      return `You let an app connect with ${quoted(event.label)}${where}`;
    case 'connect_request_denied':
      return `You refused an app’s request to connect${where}`;
    case 'connect_request_collected':
      return `The app you approved received ${quoted(event.label)}${where}`;
    case 'role_granted':
      return `You were made an administrator${where}`;
    default:
      return `${humanise(event.action)}${where}`;
  }
}

function humanise(action: string): string {
  const words = action
    .replace(/[_.-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'Something happened';
}
