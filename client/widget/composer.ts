import type { Comment } from '../../contract/index.ts';
import { button, el, submitButton } from '../dom.ts';
import type { ThreadlineClient } from '../sdk/index.ts';
import { failure } from './failure.ts';
import { mentionSuggest } from './mention-suggest.ts';

/**
 * The composer for a signed-in reader, appended to `box`: a text box with
 * @mention suggestions, "Replying to …", and Post. Returns the function
 * that starts a reply to `c` (the comments' Reply buttons call it).
 */
export function mountComposer(box: HTMLElement, client: ThreadlineClient, threadId: string, redraw: () => void): (c: Comment) => void {
  const form = el('form', 'tl-form');
  const replying = el('div', 'tl-replying');
  const input = el('textarea', 'tl-input');
  input.placeholder = 'Join the discussion';
  input.maxLength = 5_000;
  const error = el('div', 'tl-error');
  const send = submitButton('tl-send', 'Post');
  const suggest = mentionSuggest(input, (prefix) => client.participants(threadId, prefix));
  form.append(replying, input, suggest.element, error, send);
  box.append(form);
  let parentId: string | undefined;
  const setReply = (c: Comment | undefined) => {
    parentId = c?.id;
    replying.replaceChildren();
    if (!c) return;
    replying.append(
      `Replying to ${c.author?.name ?? 'a comment'} `,
      button('tl-reply-cancel', 'cancel', () => setReply(undefined)),
    );
  };
  input.addEventListener('input', () => {
    client.typing(threadId);
    suggest.update();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = input.value;
    if (!body.trim()) return;
    send.disabled = true;
    error.textContent = '';
    client.post({ threadId, body, ...(parentId ? { parentId } : {}) }).then(
      () => {
        input.value = '';
        send.disabled = false;
        suggest.hide();
        setReply(undefined);
        redraw();
      },
      (err: unknown) => {
        send.disabled = false;
        error.textContent = failure(err, 'Could not post; try again');
      },
    );
  });
  return (c) => {
    setReply(c);
    input.focus();
  };
}
