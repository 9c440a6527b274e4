/** One thing a check looked at: what it expected and what it saw. */
export interface Observation {
  readonly what: string;
  readonly expected: string;
  readonly observed: string;
  readonly passed: boolean;
}

/** The outcome of one check, printed by the runner inside the VM as a `VTV-RESULT` line. */
export interface CheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly observations: readonly Observation[];
  /** Why the check could not be carried out (the container did not start, ...), if it could not. */
  readonly error?: string;
  readonly seconds: number;
}

/** A line of the VM console that means something to the suite. */
export type ConsoleEvent =
  | { readonly kind: 'stage'; readonly text: string }
  | { readonly kind: 'result'; readonly result: CheckResult }
  | { readonly kind: 'bench'; readonly result: BenchResult }
  | { readonly kind: 'done'; readonly uptimeSeconds: number };

/** Start-up times measured inside the VM, in milliseconds per round. */
export interface BenchResult {
  readonly name: string;
  readonly volt: readonly number[];
  readonly plain: readonly number[];
  /** Node starting and printing a line: the part of `volt run` that is the runtime, not Volt. */
  readonly nodeAlone?: readonly number[];
}

/** Prefixes the runner inside the VM puts before its lines; anything else on the console is the boot log. */
export const CONSOLE_MARKS = {
  stage: 'VTV-STAGE ',
  result: 'VTV-RESULT ',
  bench: 'VTV-BENCH ',
  done: 'VTV-DONE ',
} as const;

/**
 * Reads one console line; `undefined` for kernel and systemd messages and for garbled lines.
 *
 * @example
 * ```ts
 * parseConsoleLine('VTV-STAGE runner started\r'); // { kind: 'stage', text: 'runner started' }
 * ```
 */
export function parseConsoleLine(line: string): ConsoleEvent | undefined {
  const text = line.replace(/\r$/, '');
  const at = (mark: string): string | undefined => {
    const index = text.indexOf(mark);
    return index < 0 ? undefined : text.slice(index + mark.length);
  };
  const stage = at(CONSOLE_MARKS.stage);
  if (stage !== undefined) return { kind: 'stage', text: stage };
  const done = at(CONSOLE_MARKS.done);
  if (done !== undefined) {
    const uptimeSeconds = Number(done.trim());
    return Number.isFinite(uptimeSeconds) ? { kind: 'done', uptimeSeconds } : undefined;
  }
  const bench = at(CONSOLE_MARKS.bench);
  if (bench !== undefined) {
    try {
      const data = JSON.parse(bench) as BenchResult;
      return Array.isArray(data.volt) && Array.isArray(data.plain)
        ? { kind: 'bench', result: data }
        : undefined;
    } catch {
      return undefined;
    }
  }
  const result = at(CONSOLE_MARKS.result);
  if (result === undefined) return undefined;
  try {
    const data = JSON.parse(result) as CheckResult;
    return typeof data.name === 'string' &&
      typeof data.passed === 'boolean' &&
      Array.isArray(data.observations)
      ? { kind: 'result', result: data }
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The report lines of one check: `PASS name (1.2s)` or `FAIL name (1.2s)`, then one indented line per
 * observation with what was expected and what was seen.
 *
 * @example
 * ```ts
 * formatCheckResult({ name: 'memory', passed: true, seconds: 1.2, observations: [
 *   { what: 'memory.max', expected: '= 67108864', observed: '67108864', passed: true }] });
 * // ['PASS memory (1.2s)', '     ok   memory.max: observed 67108864 (expected = 67108864)']
 * ```
 */
export function formatCheckResult(result: CheckResult): readonly string[] {
  const lines = [`${result.passed ? 'PASS' : 'FAIL'} ${result.name} (${result.seconds.toFixed(1)}s)`];
  for (const observation of result.observations) {
    const observed =
      observation.observed.length > 1000 ? `${observation.observed.slice(0, 1000)}…` : observation.observed;
    lines.push(
      `     ${observation.passed ? 'ok  ' : 'BAD '} ${observation.what}: observed ${JSON.stringify(observed)} (expected ${observation.expected})`,
    );
  }
  if (result.error !== undefined) lines.push(`     error: ${result.error}`);
  return lines;
}

/**
 * The closing line: `e2e: N passed, M failed`.
 *
 * @example
 * ```ts
 * formatSummary(9, 1); // 'e2e: 9 passed, 1 failed'
 * ```
 */
export function formatSummary(passed: number, failed: number): string {
  return `e2e: ${passed} passed, ${failed} failed`;
}

/**
 * The middle value (mean of the two middle values for an even count); NaN for none.
 *
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/**
 * The bench report: medians of both and their ratio, volt run against plain systemd-nspawn (the baseline).
 *
 * @example
 * ```ts
 * formatBench({ name: 'start', volt: [3000, 3200], plain: [1000, 1100] });
 * // 'bench start: volt run 3100 ms, systemd-nspawn 1050 ms (median of 2): ratio 2.95 (volt run / systemd-nspawn)'
 * ```
 */
export function formatBench(result: BenchResult): string {
  const volt = median(result.volt);
  const plain = median(result.plain);
  const node = median(result.nodeAlone ?? []);
  const nodeNote = Number.isNaN(node) ? '' : `; node alone ${node.toFixed(0)} ms`;
  return `bench ${result.name}: volt run ${volt.toFixed(0)} ms, systemd-nspawn ${plain.toFixed(0)} ms (median of ${result.volt.length}): ratio ${(volt / plain).toFixed(2)} (volt run / systemd-nspawn)${nodeNote}`;
}
