import type { UserRef } from '../../contract/index.ts';
import { button, el } from '../dom.ts';

/** The "@word" being typed just before the caret, if any. */
const TYPED_MENTION = /(?:^|[^\p{L}\p{N}_@])@([A-Za-z0-9_]{0,32})$/u;

export interface MentionSuggest {
  element: HTMLUListElement;
  /** Looks up the word being typed after "@" (call it on every input), or hides the list. */
  update(): void;
  hide(): void;
}

/** One suggestion: picking it puts `@handle ` in place of the typed word, caret after it. */
function pickButton(input: HTMLTextAreaElement, before: string, typed: string, u: UserRef, done: () => void): HTMLLIElement {
  const item = el('li', '');
  const pick = button('tl-suggest-user', u.name, () => {
    const start = before.length - typed.length - 1;
    const after = input.value.slice(before.length);
    input.value = `${input.value.slice(0, start)}@${u.handle} ${after.replace(/^ /, '')}`;
    const caret = start + u.handle.length + 2;
    input.setSelectionRange(caret, caret);
    done();
    input.focus();
  });
  pick.append(el('span', 'tl-handle', `@${u.handle}`));
  item.append(pick);
  return item;
}

/** @mention autocomplete for `input`: the word being typed after "@", looked up (the thread's participants first). */
export function mentionSuggest(input: HTMLTextAreaElement, lookup: (prefix: string) => Promise<UserRef[]>): MentionSuggest {
  const suggest = el('ul', 'tl-suggest');
  suggest.hidden = true;
  const hide = () => (suggest.hidden = true);
  let asked = 0;
  let lookupTimer: ReturnType<typeof setTimeout> | undefined;
  const update = () => {
    clearTimeout(lookupTimer);
    const before = input.value.slice(0, input.selectionStart ?? input.value.length);
    const typed = TYPED_MENTION.exec(before);
    if (!typed) return void hide();
    const mine = ++asked;
    lookupTimer = setTimeout(() => {
      lookup(typed[1]!).then((users) => {
        if (mine !== asked) return; // a later keystroke asked again
        // The server leaves out the reader themself.
        suggest.replaceChildren(...users.map((u) => pickButton(input, before, typed[1]!, u, hide)));
        suggest.hidden = users.length === 0;
      }, hide);
    }, 150);
  };
  return { element: suggest, update, hide: () => void hide() };
}
