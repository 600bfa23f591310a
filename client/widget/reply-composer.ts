import type { Comment } from '../../contract/index.ts';
import { button, el, submitButton } from '../dom.ts';
import type { CommentActions } from './actions.ts';
import { failure } from './failure.ts';
import { mentionSuggest } from './mention-suggest.ts';

// Reader-facing text of the in-place reply (one place, for the message table to take over).
const TEXT = {
  label: (name: string) => `Reply to ${name}`,
  someone: 'a comment',
  post: 'Post reply',
  posting: 'Posting…',
  cancel: 'Cancel',
  failed: 'Could not post; try again',
};

/**
 * The composer for a reply, right under the comment it answers. Its draft
 * lives in `actions.replies`, so a redraw of the comment (a live edit, a
 * re-sort) rebuilds it with the text and, through the list, focus and caret.
 * Escape or Cancel closes it and focus goes back to the Reply button.
 */
export function renderReplyComposer(c: Comment, actions: CommentActions): HTMLFormElement {
  const draft = actions.replies.get(c.id)!;
  const form = el('form', 'tl-form tl-reply-form');
  const input = el('textarea', 'tl-reply-input');
  input.value = draft.text;
  input.maxLength = 5_000;
  input.setAttribute('aria-label', TEXT.label(c.author?.name ?? TEXT.someone));
  // Redraws keep focus and caret on the draft (see CommentList).
  input.dataset.keepFocus = `reply:${c.id}`;
  const suggest = mentionSuggest(input, actions.participants);
  input.addEventListener('input', () => {
    draft.text = input.value;
    actions.typing();
    suggest.update();
  });
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    if (!suggest.element.hidden) suggest.hide();
    else actions.closeReply(c);
  });
  const send = submitButton('tl-reply-send', draft.sending ? TEXT.posting : TEXT.post);
  send.disabled = draft.sending;
  const cancel = button('tl-reply-cancel', TEXT.cancel, () => actions.closeReply(c));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!draft.text.trim() || draft.sending) return;
    draft.sending = true;
    delete draft.error;
    actions.redraw(c.id);
    actions.postReply(c, draft.text).then(
      () => actions.closeReply(c),
      (err: unknown) => {
        draft.sending = false;
        draft.error = failure(err, TEXT.failed);
        actions.redraw(c.id);
      },
    );
  });
  form.append(input, suggest.element, el('div', 'tl-error', draft.error ?? ''), send, cancel);
  return form;
}
