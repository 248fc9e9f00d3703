/** The web app's ISO date fields: what counts as a date and as a local date and time. */
import { describe, expect, it } from 'vitest';
import { isIsoDate, localDateTime, parseLocalDateTime } from '../../client/web/src/ui/dates.js';

describe('ISO dates in the web app', () => {
  it('accepts calendar dates written YYYY-MM-DD only', () => {
    expect(isIsoDate('2026-12-09')).toBe(true);
    expect(isIsoDate('2028-02-29')).toBe(true); // a leap year
    for (const bad of ['12/09/2026', '09.12.2026', '2026-2-9', '2026-02-30', '2027-02-29', '2026-13-01', '2026-12-09T00:00', ''])
      expect(isIsoDate(bad), bad).toBe(false);
  });

  it('reads "YYYY-MM-DD HH:MM" as local time and writes it back the same', () => {
    const at = parseLocalDateTime('2026-12-09 17:30')!;
    expect([at.getFullYear(), at.getMonth(), at.getDate(), at.getHours(), at.getMinutes()]).toEqual([2026, 11, 9, 17, 30]);
    expect(localDateTime(at)).toBe('2026-12-09 17:30');
    expect(parseLocalDateTime('2026-12-09T17:30')?.getTime()).toBe(at.getTime());
    for (const bad of ['12/09/2026 17:30', '2026-12-09', '2026-12-09 24:00', '2026-12-09 17:60', '2026-02-30 10:00'])
      expect(parseLocalDateTime(bad), bad).toBeNull();
  });
});
