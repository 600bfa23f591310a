import { describe, expect, it } from 'vitest';
import { acceptBody, charLength, normalizeBody } from '../server/domain/body.ts';

describe('normalizeBody', () => {
  it.each([
    ['  padded  ', 'padded'],
    ['a\r\nb\rc', 'a\nb\nc'],
    ['Cafe\u0301', 'Caf\u00e9'],
    ['bell\u0007 null\u0000 esc\u001b del\u007f c1\u0085', 'bell null esc del c1'],
    ['tab\tstop', 'tabstop'],
    ['rtl \u202eevil\u202c text', 'rtl evil text'],
    ['one\n\n\n\n\ntwo', 'one\n\ntwo'],
    ['trailing   \nspaces', 'trailing\nspaces'],
    ['<b>kept</b> &amp; as text', '<b>kept</b> &amp; as text'],
    ['lone \ud800 surrogate', 'lone \ufffd surrogate'],
  ])('%j -> %j', (raw, expected) => {
    expect(normalizeBody(raw)).toBe(expected);
  });
});

describe('acceptBody', () => {
  it('rejects empty and over-long bodies with invalid_payload on body', () => {
    expect(() => acceptBody(' \n\u0000 ')).toThrow(/empty/);
    expect(() => acceptBody('x'.repeat(5001))).toThrow(/5000 characters|5,000/);
    expect(acceptBody('x'.repeat(5000))).toHaveLength(5000);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(charLength('😀😀')).toBe(2);
    expect(acceptBody('😀'.repeat(5000))).toBe('😀'.repeat(5000));
  });
});
