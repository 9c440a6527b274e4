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
