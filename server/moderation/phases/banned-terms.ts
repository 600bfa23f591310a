import { errors } from '../../errors.ts';
import type { Phase } from '../phase.ts';

/** A banned term (however it is spelled) refuses the comment, naming the term so the author can fix it. */
export const bannedTerms: Phase = ({ body, words }) => {
  const found = words.match(body);
  if (!found || found.list !== 'banned') return null;
  const message = `contains a term this site does not allow: "${found.term}"`;
  return {
    kind: 'refuse',
    error: errors.invalid(`Invalid payload: body: ${message}`, {
      issues: [{ path: 'body', message }],
      reason: { list: 'banned', term: found.term },
    }),
    reason: { rule: 'banned_term', detail: `banned list: "${found.term}"` },
  };
};
