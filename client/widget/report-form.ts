import type { Comment, ReportReason } from '../../contract/index.ts';
import { button, el } from '../dom.ts';
import type { CommentActions } from './actions.ts';
import { failure } from './failure.ts';

const REPORT_REASONS: [ReportReason, string][] = [
  ['spam', 'Spam'],
  ['abuse', 'Abusive'],
  ['off_topic', 'Off topic'],
  ['other', 'Something else'],
];

/** Report button, then a reason and "Send report", then a thank-you; the state lives in `actions.reports`. */
export function renderReport(c: Comment, actions: CommentActions): HTMLElement[] {
  const report = actions.reports.get(c.id);
  if (!report)
    return [button('tl-report', 'Report', () => (actions.reports.set(c.id, { reason: 'spam', state: 'choosing' }), actions.redraw(c.id)))];
  if (report.state === 'sent') return [el('span', 'tl-reported', 'Reported; thank you')];
  const reason = el('select', 'tl-report-reason');
  for (const [value, label] of REPORT_REASONS)
    reason.append(Object.assign(el('option', '', label), { value, selected: value === report.reason }));
  reason.addEventListener('change', () => (report.reason = reason.value as ReportReason));
  const send = button('tl-report-send', report.state === 'sending' ? 'Sending…' : 'Send report', () => {
    report.state = 'sending';
    actions.redraw(c.id);
    actions
      .report(c, report.reason)
      .then(
        () => (report.state = 'sent'),
        (err: unknown) => {
          report.state = 'choosing';
          report.error = failure(err, 'Could not report; try again');
        },
      )
      .finally(() => actions.redraw(c.id));
  });
  send.disabled = report.state === 'sending';
  return report.error ? [reason, send, el('span', 'tl-error', report.error)] : [reason, send];
}
