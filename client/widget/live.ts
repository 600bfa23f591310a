import type { Comment } from '../../contract/index.ts';
import type { ThreadHandlers } from '../sdk/index.ts';
import type { Frame } from './frame.ts';

/** What the thread's live events do to the widget: redraw the list, presence, "… is typing", connection status. */
export function liveHandlers(frame: Frame, render: (comments?: Comment[]) => void): ThreadHandlers {
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  return {
    // Reset hands over the comments: it can come before joinThread resolves (a retried first load).
    onReset: (comments) => render(comments),
    onEvent: () => render(),
    onOwnComment: () => render(),
    onPresence: (n) => (frame.viewers.textContent = `${n} reading now`),
    onTyping: (user) => {
      frame.typing.textContent = `${user.name} is typing…`;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (frame.typing.textContent = ''), 4_000);
    },
    onError: () => (frame.status.textContent = 'Connection trouble; retrying…'),
    onLive: () => (frame.status.textContent = ''),
  };
}
