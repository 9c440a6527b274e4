import { formatVoltError, VoltError } from '@volt/core';

/**
 * The exit code for an error: 2 for usage and validation errors, 1 for runtime failures.
 *
 * @example
 * ```ts
 * exitCodeFor(new VoltError('INVALID_PORT', 'bad')); // 2
 * ```
 */
export function exitCodeFor(error: unknown): 1 | 2 {
  if (VoltError.isInstance(error) && error.category !== 'system') return 2;
  return 1;
}

/**
 * Prints an error as one line on stderr: `volt: CODE at path: message (hint: ...)`.
 *
 * @example
 * ```ts
 * printError(new VoltError('INVALID_PORT', 'port 0 is out of range'));
 * ```
 */
export function printError(error: unknown): void {
  const line = VoltError.isInstance(error)
    ? formatVoltError(error)
    : `SYSTEM_ERROR: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`volt: ${line}\n`);
}

/**
 * Prints data: JSON (2-space indented) with `json`, otherwise the text.
 *
 * @example
 * ```ts
 * printData({ ok: true }, true, () => 'ok');
 * ```
 */
export function printData(data: unknown, json: boolean, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : text());
}

/** The styles the CLI uses: `util.styleText` formats. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow';

/**
 * How each enforcement status is coloured on a terminal.
 *
 * @example
 * ```ts
 * STATUS_STYLES['partially-enforced']; // 'yellow'
 * ```
 */
export const STATUS_STYLES: Readonly<Record<'enforced' | 'partially-enforced' | 'not-enforced', Style>> = {
  enforced: 'green',
  'partially-enforced': 'yellow',
  'not-enforced': 'red',
};

/** The command line's arguments before `--`: what is after it belongs to a command Volt runs. */
function voltArguments(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

/**
 * Whether to colour what goes to `stream`: only a terminal (`isTTY`) whose `hasColors()` says yes (which
 * honours `NO_COLOR`, `NODE_DISABLE_COLORS`, `FORCE_COLOR` and `TERM=dumb`), and never with `--no-color`.
 * Never for a pipe or a file, whatever `FORCE_COLOR` says.
 *
 * @example
 * ```ts
 * usesColor(process.stdout, process.argv); // false when piped, or with NO_COLOR=1 or --no-color
 * ```
 */
export function usesColor(
  stream: Pick<NodeJS.WriteStream, 'isTTY'> & { hasColors?: () => boolean },
  argv: readonly string[],
): boolean {
  return (
    stream.isTTY === true && stream.hasColors?.() === true && !voltArguments(argv).includes('--no-color')
  );
}

/**
 * A function that styles text for `stream`: Node's own `util.styleText` where {@link usesColor} says yes,
 * the text as it is otherwise.
 *
 * @example
 * ```ts
 * const paint = painter(process.stdout);
 * process.stdout.write(`${paint('green', 'enforced')}\n`);
 * ```
 */
export function painter(stream: NodeJS.WriteStream): (style: Style, text: string) => string {
  if (!usesColor(stream, process.argv)) return (_, text) => text;
  const { styleText } = process.getBuiltinModule('node:util');
  return (style, text) => styleText(style, text);
}

/**
 * Runs `work` while a terminal on stderr shows what is happening (`label…`), for anything that can take
 * more than a second (network setup, an install of many files, a unit that starts); the line is erased
 * when the work ends, either way. Nothing is written to a stderr that is not a terminal. The line is
 * written before the work starts, so that it shows also while the work blocks the process (a
 * `spawnSync`).
 *
 * @example
 * ```ts
 * await withProgress('bringing up the bridge voltbr0', () => prepareHostNetwork(config));
 * ```
 */
export async function withProgress<T>(label: string, work: () => T | Promise<T>): Promise<T> {
  const stream = process.stderr;
  if (stream.isTTY !== true) return work();
  const paint = painter(stream);
  stream.write(`${paint('dim', 'volt:')} ${label}…`);
  try {
    return await work();
  } finally {
    stream.write('\r\x1b[2K');
  }
}

/**
 * Runs `work`, which reads the profile `file`; a problem of the profile it throws (a configuration error)
 * gets a hint more: `volt validate FILE` shows every problem at once, each at its line and column.
 *
 * @example
 * ```ts
 * await suggestingValidate('web.yaml', () => renderPlanFromDocument(await readProfileDocument('web.yaml')));
 * ```
 */
export async function suggestingValidate<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!VoltError.isInstance(error) || error.category !== 'config') throw error;
    const validate = `run volt validate ${file} for every problem, each at its line and column`;
    throw new VoltError(error.code, error.message, {
      path: error.path,
      hint: error.hint === undefined ? validate : `${error.hint}; ${validate}`,
      cause: error,
    });
  }
}
