// How systemd-nspawn (252) reads the values Volt gives it, on its two routes: its command line and a
// `.nspawn` settings file. Read from nspawn's sources (nspawn.c, nspawn-settings.c, nspawn-gperf.gperf,
// nspawn-mount.c, extract-word.c, conf-parser.c) and proven against nspawn itself in
// nspawn.nspawn.test.ts.
import { SYSTEMD_WHITESPACE } from './unit-file.js';

/**
 * The options a bind mount may carry (`SRC:DST:OPTIONS`, comma-separated), as nspawn 252 reads them.
 * `rbind` (recursive) is nspawn's default.
 */
export const NSPAWN_BIND_OPTIONS = ['rbind', 'norbind', 'idmap', 'noidmap', 'rootidmap'] as const;
/** One bind-mount option; see {@link NSPAWN_BIND_OPTIONS}. */
export type NspawnBindOption = (typeof NSPAWN_BIND_OPTIONS)[number];

/** A bind mount from the host into the container: both paths absolute and normalised. */
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
