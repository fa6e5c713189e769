import { describe, expect, it } from 'vitest';
import { isUnused, listPasswords } from './password-list.ts';

const now = new Date('2026-06-01T12:00:00Z');
const days = (n: number) => new Date(now.getTime() - n * 24 * 60 * 60 * 1000);
const rows = [
  { label: 'Thunderbird', state: 'active', createdAt: days(100), lastUsedAt: days(1) },
  { label: 'old phone', state: 'active', createdAt: days(200), lastUsedAt: days(60) },
  { label: 'DAVx⁵', state: 'pending', createdAt: days(3), lastUsedAt: null },
  { label: 'Just made', state: 'pending', createdAt: now, lastUsedAt: null },
];

describe('the list of app passwords', () => {
  it('finds by label, whatever the case', () => {
    const found = listPasswords(rows, { query: 'THUNDER', sort: 'name', unusedOnly: false, now });
    expect(found.map((r) => r.label)).toEqual(['Thunderbird']);
  });

  it('sorts names as people count: Device 2 before Device 10', () => {
    const devices = ['Device 10', 'Device 2', 'device 1'].map((label) => ({ ...rows[0]!, label }));
    const sorted = listPasswords(devices, { query: '', sort: 'name', unusedOnly: false, now });
    expect(sorted.map((r) => r.label)).toEqual(['device 1', 'Device 2', 'Device 10']);
  });

  it('sorts by name, by creation and by last use (never used last)', () => {
    const by = (sort: 'name' | 'created' | 'used') =>
      listPasswords(rows, { query: '', sort, unusedOnly: false, now }).map((r) => r.label);
    expect(by('name')).toEqual(['DAVx⁵', 'Just made', 'old phone', 'Thunderbird']);
    expect(by('created')).toEqual(['Just made', 'DAVx⁵', 'Thunderbird', 'old phone']);
    expect(by('used')).toEqual(['Thunderbird', 'old phone', 'Just made', 'DAVx⁵']);
  });

  it('calls unused what was never used after a day, or not for a month', () => {
    expect(rows.map((r) => isUnused(r, now))).toEqual([false, true, true, false]);
    const unused = listPasswords(rows, { query: '', sort: 'name', unusedOnly: true, now });
    expect(unused.map((r) => r.label)).toEqual(['DAVx⁵', 'old phone']);
  });
});
