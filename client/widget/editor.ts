import type { Comment } from '../../contract/index.ts';
import { button, el } from '../dom.ts';
import type { CommentActions } from './actions.ts';
import { failure } from './failure.ts';

/** Editing one of your comments in place: the draft lives in `actions.edits`, so a redraw keeps it. */
export function renderEditor(c: Comment, actions: CommentActions): HTMLElement {
  const draft = actions.edits.get(c.id)!;
  const box = el('div', 'tl-editor');
  const input = el('textarea', 'tl-edit-input');
  input.value = draft.text;
  input.maxLength = 5_000;
  // Redraws keep focus and caret on the draft (see renderList).
  input.dataset.keepFocus = c.id;
  input.addEventListener('input', () => (draft.text = input.value));
  const save = button('tl-edit-save', draft.saving ? 'Saving…' : 'Save', () => {
    draft.saving = true;
    delete draft.error;
    actions.redraw(c.id);
    actions
      .save(c, draft.text)
      .then(
        () => actions.edits.delete(c.id),
        (err: unknown) => {
          draft.saving = false;
          draft.error = failure(err, 'Could not save; try again');
        },
      )
      .finally(() => actions.redraw(c.id));
  });
  save.disabled = draft.saving;
  const cancel = button('tl-edit-cancel', 'Cancel', () => (actions.edits.delete(c.id), actions.redraw(c.id)));
  box.append(input, save, cancel);
  if (draft.error) box.append(el('div', 'tl-error', draft.error));
  return box;
}
