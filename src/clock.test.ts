import { describe, expect, it } from 'vitest';
import { addDays, addMonths, dayIn, daysBetween } from './clock.js';

describe('dayIn', () => {
  it.each([
    ['Europe/Paris', '2026-03-28T22:59:59.999Z', '2026-03-28'],
    ['Europe/Paris', '2026-03-28T23:00:00.000Z', '2026-03-29'],
    ['Europe/Paris', '2026-03-28T23:00:59.000Z', '2026-03-29'],
    ['Europe/Paris', '2026-07-14T21:59:00.000Z', '2026-07-14'], // summer time: UTC+2
    ['Europe/Paris', '2026-07-14T22:00:00.000Z', '2026-07-15'],
    ['Asia/Kolkata', '2026-01-01T18:29:59.000Z', '2026-01-01'], // UTC+5:30
    ['Asia/Kolkata', '2026-01-01T18:30:00.000Z', '2026-01-02'],
    ['UTC', '1969-12-31T23:59:59.000Z', '1969-12-31'],
  ])('%s at %s is %s, asked in any order', (zone, at, day) => {
    expect(dayIn(zone, new Date(at))).toBe(day);
    expect(dayIn('America/New_York', new Date(at))).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date(at)));
    expect(dayIn(zone, new Date(at))).toBe(day);
  });
});

describe('calendar arithmetic', () => {
  it('adds days across months and leap years, and counts days between', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-03-01', '2026-03-31')).toBe(30);
    expect(daysBetween('2026-03-31', '2026-03-01')).toBe(-30);
  });
});

describe('addMonths', () => {
  it.each([
    ['2026-12-07', 2, '2027-02-07'],
    ['2026-12-31', 2, '2027-02-28'], // no 31 February: the month's last day
    ['2027-12-31', 2, '2028-02-29'], // leap year
    ['2026-10-31', 4, '2027-02-28'],
    ['2026-08-31', 1, '2026-09-30'],
    ['2026-01-30', 1, '2026-02-28'],
    ['2026-11-15', 2, '2027-01-15'],
    ['2026-03-31', -1, '2026-02-28'],
  ])('%s + %i months is %s', (day, months, expected) => {
    expect(addMonths(day, months)).toBe(expected);
  });
});
