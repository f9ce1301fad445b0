import { readFileSync } from 'node:fs';
import { addDays } from '../clock.js';

/*
 * Procedural deadlines (Code de procédure civile, articles 640–642): a deadline that would expire
 * on a Saturday, a Sunday or a French public holiday is extended to the next working day. The
 * holidays are data (src/legal/data/public-holidays.json, with its sources); only Easter is computed.
 */
interface HolidayData {
  source: string;
  fixed: Array<{ monthDay: string; name: string }>;
  easterOffsets: Array<{ days: number; name: string }>;
  alsaceMoselle: { fixed: Array<{ monthDay: string; name: string }>; easterOffsets: Array<{ days: number; name: string }>; source: string };
}

const DATA = JSON.parse(readFileSync(new URL('./data/public-holidays.json', import.meta.url), 'utf8')) as HolidayData;
export const CPC_642_SOURCE = 'Code de procédure civile, article 642';

/** Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const cache = new Map<string, Map<string, string>>();

/** The public holidays of a year, day → name (national; with Alsace-Moselle's two more when asked). */
export function publicHolidays(year: number, opts: { alsaceMoselle?: boolean } = {}): Map<string, string> {
  const key = `${year}:${opts.alsaceMoselle ? 'am' : 'fr'}`;
  let days = cache.get(key);
  if (!days) {
    days = new Map();
    const easter = easterSunday(year);
    const lists = opts.alsaceMoselle ? [DATA, DATA.alsaceMoselle] : [DATA];
    for (const list of lists) {
      for (const f of list.fixed) days.set(`${year}-${f.monthDay}`, f.name);
      for (const o of list.easterOffsets) days.set(addDays(easter, o.days), o.name);
    }
    cache.set(key, days);
  }
  return days;
}

/** Saturday, Sunday or a public holiday. */
export function isNonWorkingDay(day: string, opts: { alsaceMoselle?: boolean } = {}): boolean {
  const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6 || publicHolidays(Number(day.slice(0, 4)), opts).has(day);
}

/** CPC 642: the day a deadline computed as `day` really expires (that day, or the next working day). */
export function proceduralDeadline(day: string, opts: { alsaceMoselle?: boolean } = {}): string {
  let d = day;
  while (isNonWorkingDay(d, opts)) d = addDays(d, 1);
  return d;
}
