/** An audit time as a reviewer compares them: UTC, to the second, the same on server and browser. */
export function formatInstant(at: Date | string): string {
  return new Date(at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/** `YYYY-MM-DD` of a date in UTC, for date inputs. */
export function isoDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}
