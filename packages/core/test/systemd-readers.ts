// Transcriptions of the systemd 252 readers Volt's formats write for, as models for the fast property
// tests: extract_first_word() (src/basic/extract-word.c) with the flags each consumer passes,
// cunescape_one() (src/basic/escape.c) for the escapes Volt writes, and specifier_printf()'s `%%`. The real
// programs are the proof (the *.nspawn.test.ts files); these models only make a wrong escape fail fast.

const WHITESPACE = ' \t\n\r';

/** The flags of extract_first_word() that Volt's consumers use. */
export interface ExtractFlags {
  readonly unquote?: boolean;
  readonly cunescape?: boolean;
  readonly retainEscape?: boolean;
  readonly dontCoalesce?: boolean;
}

/** The one-letter C escapes of cunescape_one() and cescape_char(), and what each stands for. */
export const CUNESCAPE_LETTERS: Readonly<Record<string, string>> = {
  a: '\u0007',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  s: ' ',
};

/** The C escape at `text[at]` (after the back-slash) as cunescape_one() reads it, for the escapes Volt writes. */
function cunescapeOne(text: string, at: number): { readonly character: string; readonly length: number } {
  const head = text.charAt(at);
  const letter = CUNESCAPE_LETTERS[head];
  if (letter !== undefined) return { character: letter, length: 1 };
  if ('\\"\''.includes(head)) return { character: head, length: 1 };
  if (head === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(at + 1, at + 3))) {
    const code = Number.parseInt(text.slice(at + 1, at + 3), 16);
    if (code === 0 || code > 0x7f) throw new Error('the model reads only \\x01..\\x7f');
    return { character: String.fromCharCode(code), length: 3 };
  }
  throw new Error(`invalid escape \\${head}`);
}

/**
 * The character a back-slash at `text[at]` stands for, and the text it takes: a C escape with
 * EXTRACT_CUNESCAPE, otherwise the next character as it is. Throws on a trailing back-slash (-EINVAL).
 */
function escapedAt(
  text: string,
  at: number,
  flags: ExtractFlags,
): { readonly character: string; readonly length: number } {
  if (at + 1 >= text.length) throw new Error('trailing back-slash');
  if (!flags.cunescape) return { character: text.charAt(at + 1), length: 2 };
  const escaped = cunescapeOne(text, at + 1);
  return { character: escaped.character, length: 1 + escaped.length };
}

/**
 * Every word extract_first_word() returns from `text`, in order, with `separators`, as systemd calls it
 * in a loop. Throws where systemd returns -EINVAL (an open quote, a trailing back-slash).
 */
export function extractWords(text: string, separators: string, flags: ExtractFlags): string[] {
  const words: string[] = [];
  let at = 0;
  while (at <= text.length) {
    // skip separators (unless they are not coalesced: then one separator ends an empty word)
    if (!flags.dontCoalesce) while (at < text.length && separators.includes(text.charAt(at))) at++;
    if (at >= text.length) {
      if (
        flags.dontCoalesce &&
        at === text.length &&
        words.length > 0 &&
        separators.includes(text.charAt(at - 1))
      )
        words.push('');
      break;
    }
    let word = '';
    let quote = '';
    let ended = false;
    while (at < text.length) {
      const c = text.charAt(at);
      if (quote !== '') {
        if (c === quote) {
          quote = '';
          at++;
        } else if (c === '\\' && !flags.retainEscape) {
          const escaped = escapedAt(text, at, flags);
          word += escaped.character;
          at += escaped.length;
        } else {
          word += c;
          at++;
        }
        continue;
      }
      if ((c === '"' || c === "'") && flags.unquote) {
        quote = c;
        at++;
      } else if (c === '\\' && !flags.retainEscape) {
        const escaped = escapedAt(text, at, flags);
        word += escaped.character;
        at += escaped.length;
      } else if (separators.includes(c)) {
        at++;
        ended = true;
        break;
      } else {
        word += c;
        at++;
      }
    }
    if (quote !== '') throw new Error('open quote');
    words.push(word);
    if (!ended) break;
  }
  return words;
}

/** A `.nspawn` list value (`Parameters=`, `Environment=`): config_parse_strv. */
export function readNspawnSettingsWords(value: string): string[] {
  return extractWords(value, WHITESPACE, { unquote: true, retainEscape: true });
}

/** A bind spec on either route: bind_mount_parse() → `[source, target, options]`. */
export function readNspawnBindSpec(value: string): readonly [string, string, string | undefined] {
  const words = extractWords(value, ':', { dontCoalesce: true });
  const [source = '', target = source, ...options] = words;
  return [source, target, options.length === 0 ? undefined : options.join(':')];
}

/** specifier_printf() for text that holds no specifier but `%%`. */
function unescapeSpecifiers(word: string): string {
  if (/%(?!%)/.test(word.replaceAll('%%', ''))) throw new Error(`a specifier in ${JSON.stringify(word)}`);
  return word.replaceAll('%%', '%');
}

/** A unit file's `Environment=` value: config_parse_environ, every assignment in order. */
export function readUnitEnvironment(value: string): string[] {
  return extractWords(value, WHITESPACE, { unquote: true, cunescape: true }).map(unescapeSpecifiers);
}

/** What config_parse_exec() keeps of one command: its prefixes, the program path and argv. */
export interface ExecCommandModel {
  readonly prefixes: string;
  readonly path: string;
  readonly argv: readonly string[];
}

/** A unit file's `ExecStart=` value with one command (no `;` separators). */
export function readUnitExecStart(value: string): ExecCommandModel {
  const words = extractWords(value, WHITESPACE, { unquote: true, cunescape: true });
  const [first = '', ...rest] = words;
  if (first === ';') throw new Error('a separator where the program should be');
  let prefixes = '';
  let at = 0;
  while (at < first.length) {
    const c = first.charAt(at);
    const seen = (p: string) => prefixes.includes(p);
    if (c === '-' && !seen('-')) prefixes += c;
    else if (c === '@' && !seen('@')) prefixes += c;
    else if (c === ':' && !seen(':')) prefixes += c;
    else if ((c === '+' || c === '!') && !seen('+') && !seen('!')) prefixes += c;
    else break;
    at++;
  }
  const path = unescapeSpecifiers(first.slice(at));
  const args = rest.map(unescapeSpecifiers);
  return { prefixes, path, argv: prefixes.includes('@') ? args : [path, ...args] };
}
