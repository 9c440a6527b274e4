// Generators of the text Volt must carry unchanged to every consumer: what parseFreeText and
// parseAbsolutePath accept, built directly (no filtering), weighted towards the characters each format
// treats specially.
import fc from 'fast-check';

/** Characters some format splits at, quotes, escapes or expands. */
const SPECIAL = [
  ...' \t"\'\\%$;=:@-+!#[]{}()<>|&*?~`,',
  '\u0001',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\ufeff',
  'é',
  'ü',
  '∞',
  '😀',
  '%%',
  '%i',
  '$HOME',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: systemd's ${VAR} syntax, as a user writes it
  '${X}',
  '$$',
  '\\;',
  '\\"',
  '\\x41',
];

/** One unit of free text: a special character or sequence, an ASCII letter, or any well-formed code point. */
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SPECIAL) },
  { weight: 2, arbitrary: fc.constantFrom(...'aZ09/._') },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 1 })
      .map((text) => text.replace(/[\0\n\r]/g, '_')),
  },
);

/**
 * Free text as parseFreeText accepts it: any well-formed Unicode without NUL, LF or CR, including the empty
 * string and leading or trailing white space.
 */
export const freeTextArbitrary: fc.Arbitrary<string> = fc.string({ unit, maxLength: 12 });

/** One path component: free text without `/`, never `.`, `..` or empty. */
const component = fc
  .string({ unit, minLength: 1, maxLength: 6 })
  .map((text) => text.replaceAll('/', '_'))
  .map((text) => (text === '.' || text === '..' ? `${text}_` : text));

/** A normalised absolute path as parseAbsolutePath returns it. */
export const pathArbitrary: fc.Arbitrary<string> = fc
  .array(component, { minLength: 1, maxLength: 4 })
  .map((parts) => `/${parts.join('/')}`);

/** Strings at the edges of every format: quotes, escapes, specifiers, variables, separators, white space. */
export const EDGE_TEXT: readonly string[] = [
  '',
  ' ',
  '  leading',
  'trailing  ',
  '\t',
  'a\tb',
  '"',
  "'",
  '""',
  `"'"'"`,
  ` "a b" 'c d' `,
  '\\',
  'a\\',
  '\\\\',
  '\\"',
  '\\x41\\n\\t',
  '%',
  '%%',
  '%i',
  '%n %H %m %%i',
  '$',
  '$$',
  '$HOME',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: systemd's ${VAR} syntax, as a user writes it
  '${HOME}',
  ';',
  '\\;',
  'a;b',
  '=',
  'a=b=c',
  '-x',
  '--help',
  '#not a comment',
  ';not a comment',
  '[Exec]',
  'ü ∞ 😀',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\u001b[31m',
  '\u007f',
  'x'.repeat(3000),
];
