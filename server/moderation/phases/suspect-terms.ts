import { isModerator } from '../../domain/actor.ts';
import type { Phase } from '../phase.ts';

/** A suspect term holds the comment for review, or publishes it flagged, as the site chose. */
export const suspectTerms: Phase = ({ body, words, actor }) => {
  if (isModerator(actor)) return null;
  const found = words.match(body);
  if (!found || found.list !== 'suspect') return null;
  const reason = { rule: 'suspect_term', detail: `suspect list: "${found.term}"` };
  return words.lists.suspectAction === 'flag' ? { kind: 'flag', reason } : { kind: 'hold', reason };
};
