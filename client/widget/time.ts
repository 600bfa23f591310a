/**
 * Comment times as `<time>`: relative text ("5 minutes ago", "yesterday"), the
 * full date on hover. One timer per widget refreshes them all (refreshTimes),
 * so a thread of 2,000 comments costs one interval, not 2,000.
 */
import { el } from '../dom.ts';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/** How often the relative texts are recomputed; the finest unit shown is a minute. */
const REFRESH_MS = 30_000;

// Formatters are costly to build; one each for the page's locale.
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const shortDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** "now" under a minute, then minutes, hours, days ("yesterday"), and a date after a week. */
function relativeText(iso: string, now = Date.now()): string {
  const then = Date.parse(iso);
  // A server clock ahead of the reader's must not read as "in 2 seconds".
  const secs = Math.max(0, Math.round((now - then) / 1000));
  if (secs < MINUTE) return relative.format(0, 'second');
  if (secs < HOUR) return relative.format(-Math.floor(secs / MINUTE), 'minute');
  if (secs < DAY) return relative.format(-Math.floor(secs / HOUR), 'hour');
  if (secs < WEEK) return relative.format(-Math.floor(secs / DAY), 'day');
  return shortDate.format(then);
}

export function timeElement(iso: string): HTMLTimeElement {
  const time = el('time', 'tl-time', relativeText(iso));
  time.dateTime = iso;
  time.title = fullDate.format(Date.parse(iso));
  return time;
}

/** Recomputes every comment time under `root`; writes only the ones whose text changed. */
function refreshTimes(root: ParentNode, now = Date.now()): void {
  for (const time of root.querySelectorAll<HTMLTimeElement>('time.tl-time[datetime]')) {
    const text = relativeText(time.dateTime, now);
    if (time.textContent !== text) time.textContent = text;
  }
}

/** Starts the widget's one refresh timer; it stops itself once `root` leaves the page. */
export function keepTimesFresh(root: HTMLElement): void {
  const timer = setInterval(() => {
    if (!root.isConnected) clearInterval(timer);
    else refreshTimes(root);
  }, REFRESH_MS);
}
