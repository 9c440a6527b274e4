// systemd's word reader, as the consumers Volt writes for call it: extract_first_word()
// (src/basic/extract-word.c, v252) with the flags they pass, cunescape_one() (src/basic/escape.c) and
// specifier_printf()'s `%%`. The readers of formats/nspawn.ts and formats/unit-values.ts are built on it;
// the system-tier tests prove them against nspawn and systemd themselves.
import { fail, ok, type Result, VoltError } from '../errors.js';
import { describeValue } from '../values/describe.js';
import { SYSTEMD_WHITESPACE } from './unit-file.js';

/** The flags of extract_first_word() that Volt's consumers pass. */
export interface WordFlags {
  /** `"…"` and `'…'` quote (EXTRACT_UNQUOTE). */
  readonly unquote: boolean;
  /** A back-slash starts a C escape (EXTRACT_CUNESCAPE); otherwise it takes the next character as it is. */
  readonly cunescape: boolean;
  /** A back-slash is an ordinary character (EXTRACT_RETAIN_ESCAPE). */
  readonly retainEscape: boolean;
  /** Each separator ends a word, empty ones too (EXTRACT_DONT_COALESCE_SEPARATORS). */
  readonly dontCoalesce: boolean;
}

/** The one-letter C escapes of cunescape_one() (cescape_char() writes the same) and what each stands for. */
export const C_ESCAPE_LETTERS: Readonly<Record<string, string>> = {
  a: '\u0007',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
  "'": "'",
  s: ' ',
};

/** A word under construction: UTF-8 bytes, since `\xNN` and octal escapes give bytes. */
type Bytes = number[];

const encoder = new TextEncoder();

function pushText(bytes: Bytes, text: string): void {
  for (const byte of encoder.encode(text)) bytes.push(byte);
}

/** Whether a code point may be escaped as `\U…`: unichar_is_valid(). */
function validUnichar(code: number): boolean {
  return (
    code < 0x110000 &&
    (code & 0xfffff800) !== 0xd800 &&
    !(code >= 0xfdd0 && code <= 0xfdef) &&
    (code & 0xfffe) !== 0xfffe
  );
}

/**
 * The C escape after a back-slash at `text[at]`, as cunescape_one() reads it: the bytes it stands for and
 * how many characters it takes, or undefined where systemd refuses it.
 */
function cunescapeOne(
  text: string,
  at: number,
): { readonly bytes: Bytes; readonly length: number } | undefined {
  const head = text.charAt(at);
  const letter = C_ESCAPE_LETTERS[head];
  if (letter !== undefined) return { bytes: [...encoder.encode(letter)], length: 1 };
  const hex = (digits: number) => {
    const run = text.slice(at + 1, at + 1 + digits);
    return run.length === digits && /^[0-9a-fA-F]+$/.test(run) ? Number.parseInt(run, 16) : undefined;
  };
  if (head === 'x') {
    const byte = hex(2);
    return byte === undefined || byte === 0 ? undefined : { bytes: [byte], length: 3 };
  }
  if (head === 'u' || head === 'U') {
    const code = hex(head === 'u' ? 4 : 8);
    if (code === undefined || code === 0 || (head === 'U' && !validUnichar(code))) return undefined;
    // \u is not checked by systemd, but a surrogate cannot be UTF-8: the word is refused below.
    if (code >= 0xd800 && code <= 0xdfff) return { bytes: [0xff], length: 5 };
    return { bytes: [...encoder.encode(String.fromCodePoint(code))], length: head === 'u' ? 5 : 9 };
  }
  const octal = text.slice(at, at + 3);
  if (/^[0-7]{3}$/.test(octal)) {
    const byte = Number.parseInt(octal, 8);
    return byte === 0 || byte > 255 ? undefined : { bytes: [byte], length: 3 };
  }
  return undefined;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The whole character (code point) at `text[at]`: both halves of a surrogate pair. */
function characterAt(text: string, at: number): string {
  return String.fromCodePoint(text.codePointAt(at) ?? 0);
}

function syntaxError(text: string, why: string): Result<never> {
  return fail(new VoltError('PARSE_ERROR', `${describeValue(text)} cannot be read: ${why}`));
}

/** The words read, and the text after the last one when the reader stopped early (`limit`). */
export interface ExtractedWords {
  readonly words: readonly string[];
  readonly rest: string;
}

/**
 * The words extract_first_word() returns from `text`, in order, as systemd calls it in a loop until it
 * returns 0, or at most `limit` of them and the text after them (extract_many_words()). Fails where systemd
 * fails (an open quote, a trailing or unknown escape) and where a word is not UTF-8 (byte escapes that do
 * not make a character).
 */
export function extractWords(
  text: string,
  separators: string,
  flags: WordFlags,
  limit: number = Number.POSITIVE_INFINITY,
): Result<ExtractedWords> {
  const words: string[] = [];
  let at = 0;
  while (words.length < limit) {
    if (!flags.dontCoalesce) {
      while (at < text.length && separators.includes(text.charAt(at))) at++;
      if (at >= text.length) break;
    }
    const bytes: Bytes = [];
    let quote = '';
    let next = -1; // where the next word starts; -1: the text ended
    while (at < text.length) {
      const c = characterAt(text, at);
      if (c === '\\' && !flags.retainEscape) {
        if (at + 1 >= text.length) return syntaxError(text, 'it ends in a back-slash');
        if (flags.cunescape) {
          const escaped = cunescapeOne(text, at + 1);
          if (escaped === undefined)
            return syntaxError(
              text,
              `${JSON.stringify(text.slice(at, at + 2))} is not an escape systemd reads`,
            );
          bytes.push(...escaped.bytes);
          at += 1 + escaped.length;
        } else {
          const escaped = characterAt(text, at + 1);
          pushText(bytes, escaped);
          at += 1 + escaped.length;
        }
      } else if (quote !== '') {
        if (c === quote) quote = '';
        else pushText(bytes, c);
        at += c.length;
      } else if ((c === '"' || c === "'") && flags.unquote) {
        quote = c;
        at++;
      } else if (separators.includes(c)) {
        next = at + 1;
        break;
      } else {
        pushText(bytes, c);
        at += c.length;
      }
    }
    if (quote !== '') return syntaxError(text, `a ${quote} is not closed`);
    let word: string;
    try {
      word = decoder.decode(new Uint8Array(bytes));
    } catch {
      return syntaxError(text, 'its escapes do not make UTF-8 text');
    }
    words.push(word);
    if (next < 0) return ok({ words, rest: '' });
    at = next;
  }
  return ok({ words, rest: text.slice(at) });
}

/** The word flags of systemd's unit-file values that Volt reads: `Environment=` and `ExecStart=`. */
export const UNIT_WORDS: WordFlags = {
  unquote: true,
  cunescape: true,
  retainEscape: false,
  dontCoalesce: false,
};

/** Every word of `text` split at systemd's white space as `flags` say. */
export function extractWhitespaceWords(text: string, flags: WordFlags): Result<readonly string[]> {
  const extracted = extractWords(text, SYSTEMD_WHITESPACE, flags);
  return extracted.ok ? ok(extracted.value.words) : extracted;
}

/**
 * A word after specifier_printf(), for words that may hold no specifier but `%%` (Volt's own values): the
 * other specifiers depend on the unit, so a word that holds one cannot be read without it.
 */
export function unescapeSpecifiers(word: string): Result<string> {
  const specifier = /%(?:[^%]|$)/.exec(word.replaceAll('%%', ''))?.[0];
  if (specifier === undefined) return ok(word.replaceAll('%%', '%'));
  return syntaxError(word, `it holds the specifier ${JSON.stringify(specifier)}, which depends on the unit`);
}
