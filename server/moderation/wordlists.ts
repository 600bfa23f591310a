import { DataSet, RegExpMatcher, englishDataset, englishRecommendedTransformers, parseRawPattern } from 'obscenity';
import type { Wordlists } from '../../contract/index.ts';
import { matchingForm } from '../domain/invisible.ts';
import type { ModerationStore } from '../store/moderation.ts';

export interface TermMatch {
  list: 'banned' | 'suspect';
  term: string;
}

type Matcher = { match(text: string): string | null };

/** Compiles terms into an obscenity matcher, which also catches l33t, repeated letters and look-alike characters. */
function compile(terms: string[]): Matcher | null {
  if (terms.length === 0) return null;
  const data = new DataSet<{ term: string }>();
  for (const term of terms) {
    // Terms are matched in the same form as the text (an admin may paste a fullwidth or zero-width-spliced term).
    const pattern = matchingForm(term);
    if (pattern) data.addPhrase((p) => p.setMetadata({ term }).addPattern(parseRawPattern(pattern)));
  }
  const matcher = new RegExpMatcher({ ...data.build(), ...englishRecommendedTransformers });
  return {
    match(text) {
      const found = matcher.getAllMatches(text, true)[0];
      return found ? (data.getPayloadWithPhraseMetadata(found).phraseMetadata?.term ?? null) : null;
    },
  };
}

const builtin: Matcher = (() => {
  const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  return {
    match(text) {
      const found = matcher.getAllMatches(text, true)[0];
      return found ? (englishDataset.getPayloadWithPhraseMetadata(found).phraseMetadata?.originalWord ?? 'profanity') : null;
    },
  };
})();

/** The site's word lists, compiled. Banned terms win over suspect ones. */
export class WordlistMatcher {
  private readonly banned: Matcher[];
  private readonly suspect: Matcher[];

  constructor(readonly lists: Wordlists) {
    const banned = compile(lists.banned);
    const suspect = compile(lists.suspect);
    this.banned = [banned, lists.builtinProfanity === 'banned' ? builtin : null].filter((m): m is Matcher => m !== null);
    this.suspect = [suspect, lists.builtinProfanity === 'suspect' ? builtin : null].filter((m): m is Matcher => m !== null);
  }

  // The banned and the suspect phase both ask about the same body; the scan runs once.
  private last: { text: string; found: TermMatch | null } | undefined;

  match(text: string): TermMatch | null {
    if (this.last?.text !== text) this.last = { text, found: this.scan(text) };
    return this.last.found;
  }

  private scan(body: string): TermMatch | null {
    // Hidden characters and look-alike letter forms are taken out before matching (obscenity's transformers
    // neither skip a zero-width space nor fold fullwidth letters); the stored body is not changed.
    const text = matchingForm(body);
    // obscenity keeps double letters (English has "oo"); stretched words ("mooooron") are collapsed here too.
    const variants = [text, text.replace(/(\p{L})\1{2,}/gu, '$1')];
    for (const [list, matchers] of [
      ['banned', this.banned],
      ['suspect', this.suspect],
    ] as const) {
      for (const m of matchers) {
        for (const v of variants) {
          const term = m.match(v);
          if (term) return { list, term };
        }
      }
    }
    return null;
  }
}

/**
 * Each server keeps the compiled lists and recompiles when an admin's change
 * bumps the version (read with every post, in the same round trip).
 */
export class WordlistCache {
  private current: { version: number; matcher: WordlistMatcher } | undefined;
  private loading: Promise<WordlistMatcher> | undefined;

  constructor(private readonly store: ModerationStore) {}

  async get(version: number): Promise<WordlistMatcher> {
    if (this.current && this.current.version === version) return this.current.matcher;
    this.loading ??= this.store.wordlists().then(
      ({ lists, version: loaded }) => {
        this.loading = undefined;
        const matcher = new WordlistMatcher(lists);
        this.current = { version: loaded, matcher };
        return matcher;
      },
      (err: unknown) => {
        this.loading = undefined;
        throw err;
      },
    );
    return this.loading;
  }
}
