import { describe, expect, it } from 'vitest';
import { describeActivity } from './activity.ts';

describe('describeActivity', () => {
  it('tells the first use of an app password with its service and network', () => {
    expect(
      describeActivity({
        action: 'USE',
        label: 'Thunderbird',
        service: 'imap',
        address: '203.0.113.44',
        fromState: 'pending',
        toState: 'active',
      }),
    ).toBe('“Thunderbird” (mail) first used from 203.0.113.0/24');
  });
  it('tells a use from a new network or for a new service apart from the first (routine uses are not audited)', () => {
    expect(
      describeActivity({
        action: 'USE',
        label: 'Calendar',
        service: 'caldav',
        fromState: 'active',
        toState: 'active',
      }),
    ).toBe('“Calendar” (calendars) used (a new network or service)');
  });
  it('tells the login flow: approved, refused, collected by the app', () => {
    expect(
      describeActivity({
        action: 'connect_request_approved',
        label: 'Mail App',
        address: '203.0.113.44',
      }),
    ).toBe('You let an app connect with “Mail App” from 203.0.113.0/24');
    expect(describeActivity({ action: 'connect_request_denied' })).toBe(
      'You refused an app’s request to connect',
    );
    expect(describeActivity({ action: 'connect_request_collected', label: 'Mail App' })).toBe(
      'The app you approved received “Mail App”',
    );
  });
  it('says why a credential was revoked', () => {
    expect(describeActivity({ action: 'REVOKE', label: 'Phone', reason: 'user' })).toBe(
      '“Phone” revoked: you revoked it',
    );
    expect(describeActivity({ action: 'REVOKE', label: 'Phone', reason: 'password_changed' })).toBe(
      '“Phone” revoked: your password was changed',
    );
    expect(describeActivity({ action: 'EXPIRE', label: 'Laptop' })).toBe('“Laptop” expired');
  });
  it('describes account events without leaking more than the network', () => {
    expect(describeActivity({ action: 'sign_in_failed', address: '198.51.100.23' })).toBe(
      'A sign-in failed from 198.51.100.0/24',
    );
    expect(describeActivity({ action: 'GENERATE', label: 'Mac Mail', address: null })).toBe(
      'You generated “Mac Mail”',
    );
  });
  it('reads an action it does not know as words, not a code', () => {
    expect(describeActivity({ action: 'service_key_rotated' })).toBe('Service key rotated');
    expect(describeActivity({ action: '' })).toBe('Something happened');
  });
  it('never repeats a label as markup', () => {
    expect(describeActivity({ action: 'GENERATE', label: '<b>x</b>' })).toBe(
      'You generated “<b>x</b>”',
    );
  });
});
