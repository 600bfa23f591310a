/**
 * Characters a reader does not see: format characters (Cf: zero-width space
 * and joiners, soft hyphen, word joiner, BOM, bidi controls, tag characters)
 * and every other Default_Ignorable_Code_Point (variation selectors, Hangul
 * fillers, combining grapheme joiner…). Put inside a word they split it for a
 * matcher while the word looks whole on screen. Unicode property escapes keep
 * the set in step with the Unicode version Node ships, unlike a hand list.
 */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}]/gu;

export function withoutInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/**
 * The form word lists are matched against (never stored): invisible
 * characters removed, then NFKC so fullwidth ("ｓｃｕｍｂａｇ") and
 * mathematical letters ("𝐬𝐜𝐮𝐦𝐛𝐚𝐠") read as the plain letters they show.
 * Removing first lets NFKC compose across a character that was hiding a join.
 */
export function matchingForm(text: string): string {
  return withoutInvisible(withoutInvisible(text).normalize('NFKC'));
}

// C0/C1 controls; bidi controls are Cf and go with the invisible characters.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;
// Line breaks and tabs show as the space they become; the other controls show nothing.
const HIDDEN_CONTROL = /(?![\t\n\v\f\r])[\u0000-\u001F\u007F-\u009F]/u;
// A whole emoji sequence (ZWJ family, skin tone, flag with tag characters, keycap). The `v` flag is built
// with RegExp because TypeScript's ES2023 target refuses it in a literal; Node 20 supports it.
const EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
const NAME_MAX_CHARS = 64;

/**
 * A display name as Threadline stores and shows it: NFKC, no invisible, bidi
 * or control characters, runs of whitespace as one space, trimmed, at most 64
 * characters. Joiners and selectors inside a standard emoji sequence are part
 * of a visible picture ("👩🏽‍💻"), so those sequences are kept whole.
 *
 * `hidden` says whether characters a reader cannot see were taken out
 * (invisible, bidi or control characters; not emoji joiners, not letter forms
 * NFKC folds, not spacing). Such a name looks exactly like its stored form,
 * so it is refused when another user holds that form (see UserStore.upsert):
 * a plain duplicate ("John Smith" twice) is a coincidence, a duplicate made
 * with hidden characters is an attempt to pass a filter or impersonate.
 */
export function readDisplayName(raw: string): { name: string; hidden: boolean } {
  const wellFormed = raw.toWellFormed();
  let hidden = HIDDEN_CONTROL.test(wellFormed);
  const nfkc = wellFormed.replace(CONTROL, ' ').normalize('NFKC');
  let name = '';
  for (const { segment } of graphemes.segment(nfkc)) {
    if (EMOJI.test(segment)) {
      name += segment;
      continue;
    }
    const visible = withoutInvisible(segment);
    if (visible !== segment) hidden = true;
    name += visible;
  }
  name = name.replace(/\s+/gu, ' ').trim();
  // NFKC can lengthen a name ("ﷺ" is 18 letters); cut whole characters, never inside an emoji sequence.
  let cut = '';
  let length = 0;
  for (const { segment } of graphemes.segment(name)) {
    length += [...segment].length;
    if (length > NAME_MAX_CHARS) break;
    cut += segment;
  }
  return { name: cut.trim(), hidden };
}

export function normalizeDisplayName(raw: string): string {
  return readDisplayName(raw).name;
}
