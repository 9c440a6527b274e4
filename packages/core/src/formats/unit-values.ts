// How systemd (252) reads the values of the unit-file keys Volt writes free text into: `Environment=` and
// `ExecStart=`, written and read back. From systemd's sources (load-fragment.c config_parse_environ and
// config_parse_exec, extract-word.c, escape.c cunescape_one, specifier.c, env-util.c replace_env_argv) and
// proven against systemd itself in unit-values.nspawn.test.ts.
import { fail, ok, type Result, VoltError } from '../errors.js';
import { describeValue } from '../values/describe.js';
import { PATH_BYTES_MAX, PATH_COMPONENT_BYTES_MAX } from '../values/names.js';
import { utf8Length } from '../values/text.js';
import { extractWhitespaceWords, extractWords, UNIT_WORDS, unescapeSpecifiers } from './systemd-words.js';
import { SYSTEMD_WHITESPACE } from './unit-file.js';

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
 * program after unescaping: not empty, no control character, quote or back-slash (`string_is_safe`), not a
 * directory (a trailing `/`), an absolute path of at most PATH_MAX - 1 bytes and NAME_MAX bytes per
 * component, or a plain file name (no `/`, not `.` or `..`).
 */
function programProblem(program: string): string | undefined {
  if (program === '') return 'it is empty';
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
  const prefix = program.charAt(0);
  const problem =
    prefix !== '' && EXEC_PREFIXES_THAT_CHANGE_MEANING.includes(prefix)
      ? `systemd reads its first character ${JSON.stringify(prefix)} as an ExecStart= prefix`
      : programProblem(program);
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

/**
 * The variables systemd reads from one `Environment=` value of a unit (config_parse_environ): the inverse
 * of {@link unitEnvironmentValue}, and the reader of a value written by hand. systemd keeps the last of
 * two assignments of one name; an empty value is no assignments (it resets the list). A specifier other
 * than `%%` depends on the unit and is refused.
 *
 * @example
 * ```ts
 * parseUnitEnvironment('A=1 "B=x y" C=\\x41%%'); // { ok: true, value: [['A', '1'], ['B', 'x y'], ['C', 'A%']] }
 * parseUnitEnvironment('A=%n').ok; // false, code PARSE_ERROR
 * ```
 */
export function parseUnitEnvironment(value: string): Result<readonly (readonly [string, string])[]> {
  const words = extractWhitespaceWords(value, UNIT_WORDS);
  if (!words.ok) return words;
  const variables: (readonly [string, string])[] = [];
  for (const word of words.value) {
    const assignment = unescapeSpecifiers(word);
    if (!assignment.ok) return assignment;
    const equals = assignment.value.indexOf('=');
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(assignment.value)) {
      return fail(
        new VoltError(
          'PARSE_ERROR',
          `${describeValue(assignment.value)} in ${describeValue(value)} is not an assignment systemd reads; accepted: NAME=VALUE, NAME of letters, digits and '_' not starting with a digit`,
        ),
      );
    }
    variables.push([assignment.value.slice(0, equals), assignment.value.slice(equals + 1)]);
  }
  return ok(variables);
}

/** One command as systemd reads it from an `ExecStart=` value. */
export interface UnitExecCommand {
  /** The prefix characters in front of the program, in the order written (e.g. `:` or `:@`). */
  readonly prefixes: string;
  /** The program systemd runs. */
  readonly program: string;
  /** Its argv: the program first, unless the prefixes hold `@`. Variables are expanded at run time unless the prefixes hold `:`. */
  readonly argv: readonly string[];
}

function execSyntaxError(value: string, why: string): Result<never> {
  return fail(new VoltError('PARSE_ERROR', `${describeValue(value)} is not a command systemd runs: ${why}`));
}

/** Whether `rest` starts with the word `word` on its own (followed by white space or the end). */
function startsWithWord(rest: string, word: string): boolean {
  return (
    rest.startsWith(word) &&
    (rest.length === word.length || SYSTEMD_WHITESPACE.includes(rest.charAt(word.length)))
  );
}

/**
 * The command systemd reads from one `ExecStart=` value (config_parse_exec): the inverse of
 * {@link unitExecStartValue}, and the reader of a value written by hand. Only one command is read (a `;`
 * separating two is refused), and a specifier other than `%%` depends on the unit and is refused.
 *
 * @example
 * ```ts
 * parseUnitExecStart(':/bin/echo "a b" 100%%'); // { ok: true, value: { prefixes: ':', program: '/bin/echo', argv: ['/bin/echo', 'a b', '100%'] } }
 * parseUnitExecStart('-/bin/true ; /bin/false').ok; // false, code PARSE_ERROR
 * ```
 */
export function parseUnitExecStart(value: string): Result<UnitExecCommand> {
  const first = extractWords(value, SYSTEMD_WHITESPACE, UNIT_WORDS, 1);
  if (!first.ok) return first;
  const [head] = first.value.words;
  if (head === undefined) return execSyntaxError(value, 'it is empty (an empty ExecStart= resets the list)');
  if (head === ';') return execSyntaxError(value, "it starts with the separator ';'");
  const prefixes = head.slice(0, readPrefixes(head));
  const program = unescapeSpecifiers(head.slice(prefixes.length));
  if (!program.ok) return program;
  const problem = programProblem(program.value);
  if (problem !== undefined) return execSyntaxError(value, problem);
  const argv: string[] = prefixes.includes('@') ? [] : [program.value];
  let rest = first.value.rest;
  for (;;) {
    rest = rest.replace(/^[ \t\n\r]+/, '');
    if (rest === '') break;
    if (startsWithWord(rest, ';')) return execSyntaxError(value, "it holds more than one command (';')");
    if (startsWithWord(rest, '\\;')) {
      argv.push(';');
      rest = rest.slice(2);
      continue;
    }
    const next = extractWords(rest, SYSTEMD_WHITESPACE, UNIT_WORDS, 1);
    if (!next.ok) return next;
    const word = unescapeSpecifiers(next.value.words[0] ?? '');
    if (!word.ok) return word;
    argv.push(word.value);
    rest = next.value.rest;
  }
  if (argv.length === 0) return execSyntaxError(value, 'it has no argv[0] after the @ prefix');
  return ok({ prefixes, program: program.value, argv });
}

/** How many characters of `word` config_parse_exec() reads as prefixes (`-`, `@`, `:` once each; `+`, `!`, `!!`). */
function readPrefixes(word: string): number {
  const seen = new Set<string>();
  let at = 0;
  for (; at < word.length; at++) {
    const c = word.charAt(at);
    const privileged = seen.has('+') || seen.has('!!');
    if ((c === '-' || c === '@' || c === ':') && !seen.has(c)) seen.add(c);
    else if (c === '+' && !privileged && !seen.has('!')) seen.add('+');
    else if (c === '!' && !privileged && !seen.has('!')) seen.add('!');
    else if (c === '!' && !privileged) seen.add('!!');
    else break;
  }
  return at;
}
