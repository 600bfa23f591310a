import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (.ci/run installs it). */
const CHROMIUM = '/usr/bin/chromium';

/**
 * Browser tests run unless skipping is asked for by name: a missing Chromium fails them (a suite
 * that quietly skips what it cannot run passes without checking).
 */
export const skipBrowserTests = process.env.THREADLINE_SKIP_BROWSER === '1';

export function warnIfSkippingBrowser(what: string): void {
  if (skipBrowserTests) console.warn(`${what} skipped: THREADLINE_SKIP_BROWSER=1`);
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: apt-get install chromium, or set THREADLINE_SKIP_BROWSER=1 to skip browser tests`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Uncaught errors and dialogs on the page (a dialog is dismissed: it would mean script ran). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  return errors;
}
