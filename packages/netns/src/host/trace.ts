import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';

/** One finished span: what ran, when it started (ms since the process started) and how long it took. */
export interface TraceSpan {
  readonly span: string;
  readonly start: number;
  readonly ms: number;
  /** What the span worked on, e.g. the command line it ran. */
  readonly detail?: string;
}

/**
 * The `node:diagnostics_channel` name every finished {@link TraceSpan} is published on while someone
 * subscribes (a benchmark, a CLI printing its own trace).
 *
 * @example
 * ```ts
 * import { subscribe } from 'node:diagnostics_channel';
 * subscribe(TRACE_CHANNEL, (span) => spans.push(span as TraceSpan));
 * ```
 */
export const TRACE_CHANNEL = 'volt:trace';

// Node keeps one channel object per name; holding it here is a lookup saved, not state of ours.
const spans = channel(TRACE_CHANNEL);

const doNothing = (): void => undefined;

/**
 * Starts a span and returns the function that ends it. An ended span is written to stderr as one JSON
 * line when the environment variable `VOLT_TRACE` is `1`, and published on {@link TRACE_CHANNEL} when
 * that channel has subscribers. With neither, nothing is measured: the returned function does nothing.
 *
 * @example
 * ```ts
 * const end = startSpan('ip -batch', 'ip -n web-1 -force -batch -');
 * await runTheBatch();
 * end(); // VOLT_TRACE=1: {"span":"ip -batch","start":41.2,"ms":3.1,"detail":"ip -n web-1 -force -batch -"}
 * ```
 */
export function startSpan(name: string, detail?: string): () => void {
  const toStderr = process.env['VOLT_TRACE'] === '1';
  if (!toStderr && !spans.hasSubscribers) return doNothing;
  const start = performance.now();
  return () => {
    const span: TraceSpan = {
      span: name,
      start: Math.round(start * 1000) / 1000,
      ms: Math.round((performance.now() - start) * 1000) / 1000,
      ...(detail === undefined ? {} : { detail }),
    };
    if (spans.hasSubscribers) spans.publish(span);
    if (toStderr) process.stderr.write(`${JSON.stringify(span)}\n`);
  };
}
