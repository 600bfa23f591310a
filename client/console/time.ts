/**
 * Times in the console as `<time datetime>`: relative text ("3 minutes ago"),
 * the full date and time on hover; one timer keeps them all fresh. (The widget
 * has its own copy with its own class; both follow the page's locale.)
 */
import { el } from '../dom.ts';

const REFRESH_MS = 30_000;
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });

function relativeText(iso: string, now = Date.now()): string {
  // A server clock ahead of the browser's must not read as "in 2 seconds".
  const secs = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  for (const [unit, size] of UNITS) if (secs >= size) return relative.format(-Math.floor(secs / size), unit);
  return relative.format(0, 'second');
}

export function timeElement(iso: string, className = 'tc-time'): HTMLTimeElement {
  const time = el('time', className, relativeText(iso));
  time.dateTime = iso;
  time.title = full.format(Date.parse(iso));
  return time;
}

/** Starts the console's one refresh timer; returns the function that stops it. */
export function keepTimesFresh(root: HTMLElement): () => void {
  const timer = setInterval(() => {
    for (const time of root.querySelectorAll<HTMLTimeElement>('time[datetime]')) {
      const text = relativeText(time.dateTime);
      if (time.textContent !== text) time.textContent = text;
    }
  }, REFRESH_MS);
  return () => clearInterval(timer);
}
