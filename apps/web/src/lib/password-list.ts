/** Search, sort and the "unused" filter for the list of app passwords (up to 25 of them). */

export type SortKey = 'name' | 'created' | 'used';

export interface ListedPassword {
  label: string;
  state: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Not used for this long, a password is probably for an app that is gone. */
export const UNUSED_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

/** Never used, or not for a month: a candidate to revoke. */
export function isUnused(row: ListedPassword, now: Date): boolean {
  const since = row.lastUsedAt ?? row.createdAt;
  return (
    row.state !== 'revoked' &&
    (row.lastUsedAt === null
      ? now.getTime() - since.getTime() > 24 * 60 * 60 * 1000
      : now.getTime() - since.getTime() > UNUSED_AFTER_MS)
  );
}

export function readListQuery(params: URLSearchParams): {
  query: string;
  sort: SortKey;
  unusedOnly: boolean;
} {
  const sort = params.get('sort');
  return {
    query: params.get('q') ?? '',
    sort: sort === 'name' || sort === 'used' ? sort : 'created',
    unusedOnly: params.has('unused'),
  };
}

export function listPasswords<T extends ListedPassword>(
  rows: readonly T[],
  options: { query: string; sort: SortKey; unusedOnly: boolean; now: Date },
): T[] {
  const needle = options.query.trim().toLocaleLowerCase();
  const shown = rows.filter(
    (row) =>
      (!needle || row.label.toLocaleLowerCase().includes(needle)) &&
      (!options.unusedOnly || isUnused(row, options.now)),
  );
  const compare: Record<SortKey, (a: T, b: T) => number> = {
    name: (a, b) =>
      a.label.localeCompare(b.label, undefined, { sensitivity: 'base', numeric: true }),
    created: (a, b) => b.createdAt.getTime() - a.createdAt.getTime(),
    // Last used first; never used at the end, newest of those first.
    used: (a, b) =>
      (b.lastUsedAt?.getTime() ?? -1) - (a.lastUsedAt?.getTime() ?? -1) ||
      b.createdAt.getTime() - a.createdAt.getTime(),
  };
  return [...shown].sort(compare[options.sort]);
}
