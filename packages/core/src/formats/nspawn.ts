// How systemd-nspawn (252) reads the values Volt gives it, on its two routes: its command line and a
// `.nspawn` settings file. The writers and their readers (for files read back) follow nspawn's sources
// (nspawn.c, nspawn-settings.c, nspawn-gperf.gperf, nspawn-mount.c, extract-word.c, conf-parser.c) and are
// proven against nspawn itself in nspawn.nspawn.test.ts.
import { fail, ok, type Result, VoltError } from '../errors.js';
import { describeValue } from '../values/describe.js';
import { extractWhitespaceWords, extractWords, type WordFlags } from './systemd-words.js';
import { SYSTEMD_WHITESPACE } from './unit-file.js';

/**
 * The options a bind mount may carry (`SRC:DST:OPTIONS`, comma-separated), as nspawn 252 reads them.
 * `rbind` (recursive) is nspawn's default.
 */
export const NSPAWN_BIND_OPTIONS = ['rbind', 'norbind', 'idmap', 'noidmap', 'rootidmap'] as const;
/** One bind-mount option; see {@link NSPAWN_BIND_OPTIONS}. */
export type NspawnBindOption = (typeof NSPAWN_BIND_OPTIONS)[number];

/** A bind mount from the host into the container: both paths absolute. */
export interface NspawnBind {
  /** The host path. */
  readonly source: string;
  /** The path inside the container. */
  readonly target: string;
  readonly options?: readonly NspawnBindOption[];
}

/**
 * The value of `--bind=`/`--bind-ro=` and of `Bind=`/`BindReadOnly=` (the same text on both routes):
 * `SOURCE:TARGET[:OPTIONS]`. nspawn splits the text at `:` with `extract_first_word(":",
 * EXTRACT_DONT_COALESCE_SEPARATORS)`: no quotes, no C escapes, and a back-slash takes the next character
 * literally, so `\` is written `\\` and `:` is written `\:`. Every other character, spaces and `%`
 * included, is taken as it is (no specifiers in either route). A `.nspawn` line loses the white space it
 * ends with, so a target ending in white space gets nspawn's default option, `rbind`, written out after it.
 *
 * Precondition: both paths come from `parseAbsolutePath` (no NUL, no line break).
 *
 * @example
 * ```ts
 * nspawnBindSpec({ source: '/srv/a:b', target: '/data' }); // '/srv/a\\:b:/data'
 * nspawnBindSpec({ source: '/srv/x', target: '/x', options: ['norbind'] }); // '/srv/x:/x:norbind'
 * ```
 */
export function nspawnBindSpec(bind: NspawnBind): string {
  const escapePath = (path: string) => path.replace(/[\\:]/g, (character) => `\\${character}`);
  const spec = `${escapePath(bind.source)}:${escapePath(bind.target)}`;
  const options = bind.options ?? [];
  if (options.length > 0) return `${spec}:${options.join(',')}`;
  return SYSTEMD_WHITESPACE.includes(spec.slice(-1)) ? `${spec}:rbind` : spec;
}

/**
 * The end of nspawn's command line for the payload: `--` and then the command, each argument verbatim (no
 * shell is involved, and nspawn copies its arguments as they are). The `--` keeps an argument that
 * starts with `-` from being read as one of nspawn's options.
 *
 * @example
 * ```ts
 * nspawnCommandArguments(['/bin/sh', '-c', 'echo "$HOME"']); // ['--', '/bin/sh', '-c', 'echo "$HOME"']
 * ```
 */
export function nspawnCommandArguments(argv: readonly string[]): string[] {
  return ['--', ...argv];
}

/**
 * The `--setenv=` argument for one environment variable: `--setenv=NAME=VALUE`, the value verbatim (nspawn
 * splits at the first `=` and checks only that the value is valid UTF-8). There is always an `=`: without
 * one, nspawn would pass on its own variable of that name.
 *
 * @example
 * ```ts
 * nspawnSetenvArgument('GREETING', 'hello world'); // '--setenv=GREETING=hello world'
 * ```
 */
export function nspawnSetenvArgument(name: string, value: string): string {
  return `--setenv=${name}=${value}`;
}

/**
 * One word of a `.nspawn` value that nspawn reads as a list of words: `Parameters=` (the command) and
 * `Environment=` (one `NAME=VALUE` per word). nspawn reads them with `config_parse_strv`, that is
 * `extract_first_word(EXTRACT_UNQUOTE|EXTRACT_RETAIN_ESCAPE)`: words split at white space, `"…"` and `'…'`
 * quote (and may follow one another inside a word), a back-slash is an ordinary character, and there are
 * no C escapes and no `%` specifiers. So a word is written as it is when it is plain, and otherwise in
 * double quotes, with each run of `"` in single quotes: `a "b"` → `"a "'"'"b"'"'`. A word that ends in a
 * back-slash is quoted too, so that the line does not end in one (a continuation). The empty word is `""`.
 *
 * Any text but NUL and line breaks can be written; a line break cannot (the settings file has no escape
 * for it), and `renderUnitFile` refuses the line.
 *
 * @example
 * ```ts
 * nspawnSettingsWord('/bin/echo'); // '/bin/echo'
 * nspawnSettingsWord('hello world'); // '"hello world"'
 * nspawnSettingsWord('say "hi"'); // '"say "\'"\'"hi"\'"\''
 * ```
 */
export function nspawnSettingsWord(word: string): string {
  const plain = [...word].every(
    (character) => !SYSTEMD_WHITESPACE.includes(character) && !`"'`.includes(character),
  );
  if (word !== '' && plain && !word.endsWith('\\')) return word;
  if (word === '') return '""';
  return (word.match(/"+|[^"]+/g) ?? [])
    .map((run) => (run.startsWith('"') ? `'${run}'` : `"${run}"`))
    .join('');
}

/**
 * A `.nspawn` value made of words (`Parameters=`), each written by {@link nspawnSettingsWord} and
 * separated by one space. nspawn reads it back as exactly these words. An empty list gives an empty value,
 * which resets the setting: write no `Parameters=` line for it.
 *
 * @example
 * ```ts
 * nspawnSettingsWords(['/bin/sh', '-c', 'echo $HOME']); // '/bin/sh -c "echo $HOME"'
 * ```
 */
export function nspawnSettingsWords(words: readonly string[]): string {
  return words.map(nspawnSettingsWord).join(' ');
}

/** How nspawn reads `Parameters=` and `Environment=`: config_parse_strv's flags. */
const SETTINGS_WORDS: WordFlags = {
  unquote: true,
  cunescape: false,
  retainEscape: true,
  dontCoalesce: false,
};
/** How nspawn reads a bind spec (bind_mount_parse) and its options: no quotes, `\\` takes the next character. */
const BIND_WORDS: WordFlags = { unquote: false, cunescape: false, retainEscape: false, dontCoalesce: true };
const OPTION_WORDS: WordFlags = {
  unquote: false,
  cunescape: false,
  retainEscape: false,
  dontCoalesce: false,
};

/**
 * The words nspawn reads from a `.nspawn` `Parameters=` or `Environment=` value (config_parse_strv): the
 * inverse of {@link nspawnSettingsWords}, and the reader of a value written by hand. An empty value is no
 * words (it resets the setting).
 *
 * @example
 * ```ts
 * parseNspawnSettingsWords(`/bin/sh -c "echo 'a b'" x"y"'z'`); // { ok: true, value: ['/bin/sh', '-c', "echo 'a b'", 'xyz'] }
 * parseNspawnSettingsWords('"open').ok; // false, code PARSE_ERROR
 * ```
 */
export function parseNspawnSettingsWords(value: string): Result<readonly string[]> {
  return extractWhitespaceWords(value, SETTINGS_WORDS);
}

/**
 * The bind mount nspawn reads from a `--bind=`/`--bind-ro=` value or a `Bind=`/`BindReadOnly=` line
 * (bind_mount_parse): the inverse of {@link nspawnBindSpec}. Only what Volt writes is read: an absolute
 * host path (not nspawn's `+PATH` or empty source), an absolute target, options of
 * {@link NSPAWN_BIND_OPTIONS}.
 *
 * @example
 * ```ts
 * parseNspawnBindSpec('/srv/a\\:b:/data:norbind'); // { ok: true, value: { source: '/srv/a:b', target: '/data', options: ['norbind'] } }
 * parseNspawnBindSpec('/srv/data'); // { ok: true, value: { source: '/srv/data', target: '/srv/data' } }
 * parseNspawnBindSpec('relative:/x').ok; // false, code PARSE_ERROR
 * ```
 */
export function parseNspawnBindSpec(value: string): Result<NspawnBind> {
  const extracted = extractWords(value, ':', BIND_WORDS, 2);
  if (!extracted.ok) return extracted;
  const [source = '', target = source] = extracted.value.words;
  const options = extractWords(extracted.value.rest, ',', OPTION_WORDS);
  if (!options.ok) return options;
  const unknown = options.value.words.find(
    (option) => !(NSPAWN_BIND_OPTIONS as readonly string[]).includes(option),
  );
  const problem = !source.startsWith('/')
    ? 'its source is not an absolute path'
    : !target.startsWith('/')
      ? 'its target is not an absolute path'
      : unknown !== undefined
        ? `${JSON.stringify(unknown)} is not a bind option nspawn reads`
        : undefined;
  if (problem !== undefined) {
    return fail(
      new VoltError(
        'PARSE_ERROR',
        `${describeValue(value)} is not a bind mount Volt reads: ${problem}; accepted: SOURCE:TARGET[:OPTIONS], both absolute, options of ${NSPAWN_BIND_OPTIONS.join(', ')}`,
      ),
    );
  }
  const bindOptions = options.value.words as readonly NspawnBindOption[];
  return ok(bindOptions.length === 0 ? { source, target } : { source, target, options: bindOptions });
}
