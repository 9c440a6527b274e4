import { fail, ok, type Result, VoltError } from '../errors.js';
import { describeValue, notAString } from './describe.js';

/**
 * The most UTF-8 bytes one argument or one `NAME=VALUE` environment string may have: the kernel's
 * MAX_ARG_STRLEN (32 pages) less the terminating NUL. `execve()` fails with E2BIG on a longer one.
 */
export const ARGUMENT_BYTES_MAX = 131071;

/**
 * The first character of `text` that no Volt output can hold, with the reason, or undefined:
 * NUL (argument lists and C strings end there), a line break (LF or CR: `.nspawn` files and unit files are
 * read line by line, and a `.nspawn` file's `Parameters=`, `Environment=` and `Bind=` have no escape for
 * one), and an unpaired UTF-16 surrogate (UTF-8 cannot encode it: it would be written as U+FFFD).
 *
 * @example
 * ```ts
 * unwritableCharacter('a b'); // undefined
 * unwritableCharacter('a\nb')?.why; // 'a line break, which a line of a .nspawn or unit file cannot hold'
 * ```
 */
export function unwritableCharacter(
  text: string,
): { readonly character: string; readonly why: string } | undefined {
  const match = /[\0\n\r]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
  if (match === null) return undefined;
  const character = match[0];
  if (character === '\0') return { character, why: 'NUL, which ends a C string' };
  if (character === '\n' || character === '\r')
    return { character, why: 'a line break, which a line of a .nspawn or unit file cannot hold' };
  return { character, why: 'an unpaired surrogate, which UTF-8 cannot encode' };
}

/**
 * The length of `text` in UTF-8 bytes, as the kernel and systemd count it.
 *
 * @example
 * ```ts
 * utf8Length('é'); // 2
 * ```
 */
export function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

const FREE_TEXT_ACCEPTED = `accepted: any text without NUL, line breaks (LF, CR) or unpaired surrogates, at most ${ARGUMENT_BYTES_MAX} UTF-8 bytes`;

/**
 * Parses free text that Volt passes on unchanged — a command argument, an environment value: any Unicode
 * text every output can carry. Spaces, quotes, back-slashes, `%`, `$`, `;`, `=`, tabs, leading and trailing
 * white space and the empty string are all accepted; each output quotes and escapes the text its own way
 * (`formats/`). Refused: NUL, line breaks (a `.nspawn` file cannot hold them) and unpaired surrogates
 * ({@link unwritableCharacter}), and text longer than {@link ARGUMENT_BYTES_MAX} UTF-8 bytes.
 *
 * @example
 * ```ts
 * parseFreeText('echo "hi" > $HOME/%i.log'); // { ok: true, value: 'echo "hi" > $HOME/%i.log' }
 * parseFreeText('a\nb').ok; // false, code UNSAFE_STRING
 * ```
 */
export function parseFreeText(text: string): Result<string> {
  if (typeof text !== 'string') return notAString(text);
  const problem = freeTextProblem(text);
  if (problem === undefined) return ok(text);
  return fail(
    new VoltError(
      'UNSAFE_STRING',
      `${describeValue(text)} cannot be written: ${problem}; ${FREE_TEXT_ACCEPTED}`,
    ),
  );
}

/**
 * Why `text` is not free text ({@link parseFreeText}), or undefined when it is.
 *
 * @example
 * ```ts
 * freeTextProblem('a\u0000'); // 'it contains "\\u0000", NUL, which ends a C string'
 * ```
 */
export function freeTextProblem(text: string): string | undefined {
  const unwritable = unwritableCharacter(text);
  if (unwritable !== undefined)
    return `it contains ${JSON.stringify(unwritable.character)}, ${unwritable.why}`;
  const bytes = utf8Length(text);
  return bytes > ARGUMENT_BYTES_MAX ? `it has ${bytes} UTF-8 bytes` : undefined;
}
