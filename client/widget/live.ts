import type { Comment, Thread } from '../../contract/index.ts';
import type { ThreadHandlers } from '../sdk/index.ts';
import type { ConnectionIndicator } from './connection.ts';
import type { Frame } from './frame.ts';

// Reader-facing text of live state (one place, for the message table to take over).
const TEXT = {
  reading: (n: number) => `${n} reading now`,
  typing: (name: string) => `${name} is typing…`,
  trouble: 'Connection trouble; retrying…',
};

/** How the widget redraws: `comments` after a reload, `arrived` when an event may have added a comment. */
export interface LiveRender {
  reset(comments: Comment[]): void;
  changed(arrived: boolean): void;
  thread(thread: Thread): void;
}

/** What the thread's live events do to the widget: patch the list, presence, "… is typing", connection state. */
export function liveHandlers(frame: Frame, render: LiveRender, connection: ConnectionIndicator): ThreadHandlers {
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  return {
    // Reset hands over the comments: it can come before joinThread resolves (a retried first load).
    onReset: (comments) => render.reset(comments),
    onEvent: (event) => render.changed(event.type === 'comment.created'),
    onOwnComment: () => render.changed(false),
    onThreadUpdated: (thread) => render.thread(thread),
    onPresence: (n) => (frame.viewers.textContent = TEXT.reading(n)),
    onTyping: (user) => {
      frame.typing.textContent = TEXT.typing(user.name);
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => (frame.typing.textContent = ''), 4_000);
    },
    onError: () => {
      frame.status.textContent = TEXT.trouble;
      connection.view(false);
    },
    onLive: () => {
      frame.status.textContent = '';
      connection.view(true);
    },
  };
}
