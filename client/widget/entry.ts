/**
 * widget.js: exposes `Threadline.mount(element, options)` and mounts every
 * element with `data-threadline-thread` (token from `data-threadline-token`,
 * or `#token=` in the page address, which never reaches a server log).
 */
import { mount } from './widget.ts';

declare global {
  interface Window {
    Threadline: { mount: typeof mount };
  }
}

const scriptUrl = (document.currentScript as HTMLScriptElement | null)?.src;
window.Threadline = { mount };

function autoMount(): void {
  const hashToken = new URLSearchParams(location.hash.slice(1)).get('token') ?? undefined;
  for (const node of document.querySelectorAll<HTMLElement>('[data-threadline-thread]')) {
    const token = node.dataset.threadlineToken ?? hashToken;
    void mount(node, {
      threadId: node.dataset.threadlineThread!,
      ...(token ? { token } : {}),
      ...(scriptUrl ? { url: new URL(scriptUrl).origin } : {}),
    });
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', autoMount);
else autoMount();
