import { button } from '../dom.ts';
import type { ThreadView } from '../sdk/index.ts';
import { failure } from './failure.ts';

/** The first load is the newest page; older ones come on request, with this button above the list (hidden until there are more). */
export function olderButton(view: () => ThreadView | undefined, redraw: () => void, say: (text: string) => void): HTMLButtonElement {
  const older = button('tl-older', 'Show older comments', () => {
    older.disabled = true;
    view()!
      .loadMore()
      .then(
        () => redraw(),
        (err: unknown) => say(failure(err, 'Could not load older comments')),
      )
      .finally(() => (older.disabled = false));
  });
  older.hidden = true;
  return older;
}
