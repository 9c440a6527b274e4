/** Prints stage lines with the time elapsed since the suite started, so a long build or boot shows life. */
export interface Progress {
  /** Prints `[e2e  12.3s] text`. */
  readonly stage: (text: string) => void;
  /** Milliseconds since the progress was created. */
  readonly elapsedMs: () => number;
}

/**
 * Formats one stage line: the elapsed seconds right-aligned, then the text.
 *
 * @example
 * ```ts
 * formatStageLine(12_345, 'booting the VM'); // '[e2e   12.3s] booting the VM'
 * ```
 */
export function formatStageLine(elapsedMs: number, text: string): string {
  const seconds = (elapsedMs / 1000).toFixed(1).padStart(6, ' ');
  return `[e2e ${seconds}s] ${text}`;
}

/**
 * Creates a progress printer that writes stage lines to `write` (stderr by default).
 *
 * @example
 * ```ts
 * const progress = createProgress();
 * progress.stage('building the base image');
 * ```
 */
export function createProgress(
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  now: () => number = () => performance.now(),
): Progress {
  const start = now();
  const elapsedMs = (): number => now() - start;
  return {
    stage: (text) => write(formatStageLine(elapsedMs(), text)),
    elapsedMs,
  };
}
