import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejected, value } from '../../test/results.js';
import { freeTextArbitrary } from '../../test/text-arbitraries.js';
import { ARGUMENT_BYTES_MAX, parseFreeText, unwritableCharacter, utf8Length } from './text.js';

describe('parseFreeText', () => {
  it.each([
    '',
    ' ',
    'echo hi',
    ' leading and trailing\t',
    '"double" \'single\' `back`',
    'back\\slash\\',
    '50% %i %%',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: systemd's ${VAR} syntax, as a user writes it
    '$HOME ${X} $$',
    'a;b & c | d > e',
    'key=value=more',
    '[Service]',
    '#comment',
    'ü ∞ 😀 \u00a0 \u2028 \ufeff',
    '\u0001\u001b\u007f\u0085',
    'x'.repeat(ARGUMENT_BYTES_MAX),
  ])('accepts %j unchanged', (text) => {
    expect(value(parseFreeText(text))).toBe(text);
  });

  it.each([
    ['a\nb', 'it contains "\\n", a line break'],
    ['a\rb', 'it contains "\\r", a line break'],
    ['a\u0000b', 'it contains "\\u0000", NUL'],
    ['\ud800', 'an unpaired surrogate'],
    ['a\udc00b', 'an unpaired surrogate'],
    ['x'.repeat(ARGUMENT_BYTES_MAX + 1), `it has ${ARGUMENT_BYTES_MAX + 1} UTF-8 bytes`],
    ['é'.repeat(65536), 'it has 131072 UTF-8 bytes'],
  ])('refuses %j with UNSAFE_STRING (%s)', (text, why) => {
    const error = rejected(parseFreeText(text));
    expect(error.code).toBe('UNSAFE_STRING');
    expect(error.message).toContain(why);
    expect(error.message).toContain(
      `accepted: any text without NUL, line breaks (LF, CR) or unpaired surrogates, at most ${ARGUMENT_BYTES_MAX} UTF-8 bytes`,
    );
  });

  it('accepts exactly the well-formed text without NUL or line breaks (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(freeTextArbitrary, fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })),
        (text) => {
          const writable = Buffer.from(text).toString() === text && !/[\0\n\r]/.test(text);
          expect(parseFreeText(text).ok).toBe(writable);
          expect(unwritableCharacter(text) === undefined).toBe(writable);
          expect(utf8Length(text)).toBe(Buffer.byteLength(text));
        },
      ),
    );
  });

  it('survives JSON exactly, as every JSON output writes it (property)', () => {
    fc.assert(
      fc.property(freeTextArbitrary, (text) => {
        expect(JSON.parse(JSON.stringify({ text })).text).toBe(text);
      }),
    );
  });
});
