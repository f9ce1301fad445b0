import { describe, expect, it } from 'vitest';
import { easterSunday, isNonWorkingDay, proceduralDeadline, publicHolidays } from './working-days.js';

describe('CPC 640–642: procedural deadlines and French public holidays', () => {
  it('finds Easter Sunday (checked against the published dates)', () => {
    expect(['2013', '2019', '2024', '2025', '2026', '2027', '2038'].map((y) => easterSunday(Number(y)))).toEqual([
      '2013-03-31', '2019-04-21', '2024-03-31', '2025-04-20', '2026-04-05', '2027-03-28', '2038-04-25',
    ]);
  });

  it('lists the eleven national public holidays of 2026, and two more in Alsace-Moselle', () => {
    expect([...publicHolidays(2026).keys()].sort()).toEqual([
      '2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25', '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25',
    ]);
    const am = publicHolidays(2026, { alsaceMoselle: true });
    expect(am.size).toBe(13);
    expect(am.get('2026-04-03')).toBe('Vendredi saint');
    expect(am.get('2026-12-26')).toBe('Saint-Étienne');
  });

  it.each([
    ['a Saturday runs to the Monday', '2026-06-20', '2026-06-22'],
    ['a Sunday runs to the Monday', '2026-06-21', '2026-06-22'],
    ['a working day stays', '2026-06-19', '2026-06-19'],
    ['Ascension Thursday runs to the Friday', '2026-05-14', '2026-05-15'],
    ['14 July (a Tuesday) runs to the 15th', '2026-07-14', '2026-07-15'],
    ['a Saturday before Whit Monday runs to the Tuesday', '2026-05-23', '2026-05-26'],
    ['Christmas on a Friday runs to the Monday', '2026-12-25', '2026-12-28'],
    ['1 November 2026, a Sunday, runs to the Monday 2 November', '2026-11-01', '2026-11-02'],
  ])('%s', (_name, day, expected) => {
    expect(proceduralDeadline(day)).toBe(expected);
  });

  it('in Alsace-Moselle, Good Friday and 26 December are not working days', () => {
    expect(isNonWorkingDay('2026-04-03')).toBe(false);
    expect(proceduralDeadline('2026-04-03')).toBe('2026-04-03');
    expect(proceduralDeadline('2026-04-03', { alsaceMoselle: true })).toBe('2026-04-07'); // Friday, weekend, Easter Monday
    expect(proceduralDeadline('2025-12-26', { alsaceMoselle: true })).toBe('2025-12-29');
  });
});
