import { el, submitButton } from '../dom.ts';
import type { ThreadlineClient } from '../sdk/index.ts';
import { failure } from './failure.ts';
import { mentionSuggest } from './mention-suggest.ts';

// Reader-facing text of the composer (one place, for the message table to take over).
const TEXT = {
  placeholder: 'Join the discussion',
  post: 'Post',
  failed: 'Could not post; try again',
};

/**
 * The composer for a new conversation, appended to `box`: a text box with
 * @mention suggestions, and Post. Replies have their own composer, under the
 * comment they answer (reply-composer.ts). Outside the list, so live events
 * never touch its draft.
 */
export function mountComposer(box: HTMLElement, client: ThreadlineClient, threadId: string, redraw: () => void): void {
  const form = el('form', 'tl-form');
  const input = el('textarea', 'tl-input');
  input.placeholder = TEXT.placeholder;
  input.setAttribute('aria-label', TEXT.placeholder);
  input.maxLength = 5_000;
  const error = el('div', 'tl-error');
  const send = submitButton('tl-send', TEXT.post);
  const suggest = mentionSuggest(input, (prefix) => client.participants(threadId, prefix));
  form.append(input, suggest.element, error, send);
  box.append(form);
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
    client.post({ threadId, body }).then(
      () => {
        input.value = '';
        send.disabled = false;
        suggest.hide();
        redraw();
      },
      (err: unknown) => {
        send.disabled = false;
        error.textContent = failure(err, TEXT.failed);
      },
    );
  });
}
