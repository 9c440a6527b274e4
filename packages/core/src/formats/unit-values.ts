// How systemd (252) reads the values of the unit-file keys Volt writes free text into: `Environment=` and
// `ExecStart=`. Read from systemd's sources (load-fragment.c config_parse_environ and config_parse_exec,
// extract-word.c, escape.c cunescape_one, specifier.c, env-util.c replace_env_argv) and proven against
// systemd itself in unit-values.nspawn.test.ts.
import { VoltError } from '../errors.js';
import { describeValue } from '../values/describe.js';
import { PATH_BYTES_MAX, PATH_COMPONENT_BYTES_MAX } from '../values/names.js';
import { utf8Length } from '../values/text.js';

/** The C escapes Volt writes for characters that cannot stand in a quoted word as they are. */
const C_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A character that makes a word need quotes: a space (tab, LF and CR are control characters: systemd's
 * white space), a quote, a back-slash, a control character.
 */
const NEEDS_QUOTES = /[ "'\\\u0000-\u001f\u007f]/;

function cEscape(character: string): string {
  return C_ESCAPES[character] ?? `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/**
 * One word of a unit-file value that systemd reads with `extract_first_word(EXTRACT_UNQUOTE|
 * EXTRACT_CUNESCAPE)` and then expands `%` specifiers in: each word of `Environment=` and of `ExecStart=`.
 * Every `%` is doubled (`%%` is a literal `%`); a word that is empty, is `;` (a command separator in
 * `ExecStart=`), or holds white space, a quote, a back-slash or a control character is written in double
 * quotes with C escapes (`\\`, `\"`, `\n`, `\t`, `\r`, `\xNN`). Any text but NUL can be written this way,
 * line breaks included.
 *
 * `ExecStart=` also expands `$` variables at run time; {@link unitExecStartValue} turns that off.
 *
 * @example
 * ```ts
 * unitFileWord('/usr/bin/env'); // '/usr/bin/env'
 * unitFileWord('50% off'); // '"50%% off"'
 * unitFileWord('say "hi"\n'); // '"say \\"hi\\"\\n"'
 * ```
 */
export function unitFileWord(word: string): string {
  const text = word.replaceAll('%', '%%');
  if (text !== '' && text !== ';' && !NEEDS_QUOTES.test(text)) return text;
  return `"${text.replace(/[\\"\u0000-\u001f\u007f]/g, cEscape)}"`;
}

/**
 * The value of one `Environment=` line of a unit file: `NAME=VALUE` as one word ({@link unitFileWord}), so
 * that systemd reads back exactly that variable (`Environment=` does not expand `$`).
 *
 * @example
 * ```ts
 * unitEnvironmentValue('GREETING', 'hello world'); // '"GREETING=hello world"'
 * unitEnvironmentValue('SYSTEMD_SECCOMP', '0'); // 'SYSTEMD_SECCOMP=0'
 * ```
 */
export function unitEnvironmentValue(name: string, value: string): string {
  return unitFileWord(`${name}=${value}`);
}

/**
 * The prefixes `ExecStart=` reads in front of the program: `-` ignore failure, `@` separate argv[0], `:` no
 * variable expansion, `+`, `!`, `!!` privileges. Volt writes `:` (and `@` for a program that starts with
 * `@`); a program that starts with one of the others cannot be named, because systemd would read its first
 * character as a prefix.
 */
const EXEC_PREFIXES_THAT_CHANGE_MEANING = '-+!';

/**
 * Why systemd 252 cannot run `program` from `ExecStart=` under that name, or undefined. systemd checks the
 * program after unescaping: no control character, quote or back-slash (`string_is_safe`), not a directory
 * (a trailing `/`), an absolute path of at most PATH_MAX - 1 bytes and NAME_MAX bytes per component, or a
 * plain file name (no `/`, not `.` or `..`).
 */
function execProgramProblem(program: string): string | undefined {
  if (program === '') return 'it is empty';
  if (EXEC_PREFIXES_THAT_CHANGE_MEANING.includes(program.charAt(0)))
    return `systemd reads its first character ${JSON.stringify(program.charAt(0))} as an ExecStart= prefix`;
  const unsafe = /["'\\\u0000-\u001f\u007f]/.exec(program)?.[0];
  if (unsafe !== undefined) return `systemd refuses ${JSON.stringify(unsafe)} in a program name`;
  if (program.endsWith('/')) return 'it names a directory';
  const components = program.split('/').filter((component) => component !== '');
  if (!program.startsWith('/') && (components.length !== 1 || program === '.' || program === '..'))
    return 'it is neither an absolute path nor a plain file name';
  if (components.some((component) => utf8Length(component) > PATH_COMPONENT_BYTES_MAX))
    return `a component is longer than ${PATH_COMPONENT_BYTES_MAX} bytes`;
  if (utf8Length(program) > PATH_BYTES_MAX) return `it is longer than ${PATH_BYTES_MAX} bytes`;
  return undefined;
}

/**
 * The value of an `ExecStart=` line that runs exactly `argv`: `:` first, so that systemd expands no `$`
 * variables (the arguments are Volt's literal argv, as on nspawn's command line), then each argument as a
 * {@link unitFileWord}. A program that starts with `@` gets the `@` prefix and its argv[0] written out after
 * it (`:@@x @x …`), since systemd would otherwise read its `@` as a prefix; `:` before the program also
 * keeps a program named `;` or starting with `:` from being read as a separator or a prefix.
 *
 * @throws {@link VoltError} USAGE when `argv` is empty; UNSAFE_STRING when systemd cannot run the program
 *   by that name (it starts with `-`, `+` or `!`, holds a quote, a back-slash or a control character, ends
 *   in `/`, or is neither an absolute path nor a plain file name).
 * @example
 * ```ts
 * unitExecStartValue(['/run/volt/volt-landlock', '--', '/bin/sh', '-c', 'echo "$HOME" 100%']);
 * // ':/run/volt/volt-landlock -- /bin/sh -c "echo \\"$HOME\\" 100%%"'
 * ```
 */
export function unitExecStartValue(argv: readonly string[]): string {
  const [program, ...args] = argv;
  if (program === undefined)
    throw new VoltError('USAGE', 'ExecStart= needs a command; accepted: a program and its arguments');
  const problem = execProgramProblem(program);
  if (problem !== undefined) {
    throw new VoltError(
      'UNSAFE_STRING',
      `${describeValue(program)} cannot be run from ExecStart=: ${problem}; accepted: an absolute path or a file name without quotes, back-slashes or control characters, not starting with -, + or !`,
    );
  }
  const words = program.startsWith('@') ? [`@${program}`, program, ...args] : argv;
  const [first, ...rest] = words.map(unitFileWord);
  return [`:${first}`, ...rest].join(' ');
}
