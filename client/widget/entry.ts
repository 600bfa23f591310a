/**
 * widget.js: exposes `Threadline.mount(element, options)` and mounts every
 * element with `data-threadline-thread` (token from `data-threadline-token`,
 * or `#token=` in the page address, which never reaches a server log).
 */
import { mountWidget, type MountOptions, type WidgetHandle } from './widget.ts';

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
function mount(element: HTMLElement, opts: MountOptions): Promise<WidgetHandle> {
  return mountWidget(element, { ...opts, url: opts.url ?? serverUrl });
}

window.Threadline = { mount };

function autoMount(): void {
  const hashToken = new URLSearchParams(location.hash.slice(1)).get('token') ?? undefined;
  for (const node of document.querySelectorAll<HTMLElement>('[data-threadline-thread]')) {
    const token = node.dataset.threadlineToken ?? hashToken;
    const loginUrl = node.dataset.threadlineLoginUrl;
    // The widget shows what went wrong; this keeps it off the page's unhandled rejections.
    mount(node, { threadId: node.dataset.threadlineThread!, ...(token ? { token } : {}), ...(loginUrl ? { loginUrl } : {}) }).then(
      // A host that signs the reader in later sets data-threadline-token: the same as setToken.
      (handle) =>
        new MutationObserver(() => {
          const next = node.dataset.threadlineToken;
          if (next) handle.setToken(next).catch((err: unknown) => console.error('Threadline: could not sign in', err));
        }).observe(node, { attributes: true, attributeFilter: ['data-threadline-token'] }),
      (err: unknown) => console.error('Threadline: could not mount the comments', err),
    );
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', autoMount);
else autoMount();
