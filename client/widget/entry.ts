/**
 * widget.js: exposes `Threadline.mount(element, options)` and mounts every
 * element with `data-threadline-thread` (token from `data-threadline-token`,
 * or `#token=` in the page address, which never reaches a server log).
 */
import { mount as mountAt, type MountOptions } from './widget.ts';
import type { ThreadlineClient } from '../sdk/index.ts';

declare global {
  interface Window {
    Threadline: { mount: typeof mount };
  }
}

/**
 * Threadline's URL: where this script was loaded from. Recorded now: only
 * while this script first runs is document.currentScript this script (later
 * it is null, or the page's own inline `<script>Threadline.mount(...)</script>`).
 */
const serverUrl = new URL((document.currentScript as HTMLScriptElement | null)?.src || location.href).origin;

/** Mounts the widget into `element`; `url` defaults to where widget.js came from. */
function mount(element: HTMLElement, opts: MountOptions): Promise<ThreadlineClient> {
  return mountAt(element, { ...opts, url: opts.url ?? serverUrl });
}

window.Threadline = { mount };

function autoMount(): void {
  const hashToken = new URLSearchParams(location.hash.slice(1)).get('token') ?? undefined;
  for (const node of document.querySelectorAll<HTMLElement>('[data-threadline-thread]')) {
    const token = node.dataset.threadlineToken ?? hashToken;
    // The widget shows what went wrong; this keeps it off the page's unhandled rejections.
    mount(node, { threadId: node.dataset.threadlineThread!, ...(token ? { token } : {}) }).catch((err: unknown) =>
      console.error('Threadline: could not mount the comments', err),
    );
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', autoMount);
else autoMount();
