import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startSpan, TRACE_CHANNEL, type TraceSpan } from './trace.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** The spans published while `action` runs. */
function published(action: () => void): TraceSpan[] {
  const spans: TraceSpan[] = [];
  const collect = (span: unknown) => spans.push(span as TraceSpan);
  subscribe(TRACE_CHANNEL, collect);
  try {
    action();
  } finally {
    unsubscribe(TRACE_CHANNEL, collect);
  }
  return spans;
}

describe('startSpan', () => {
  it('measures nothing and prints nothing when tracing is off and nobody listens', () => {
    vi.stubEnv('VOLT_TRACE', '');
    const write = vi.spyOn(process.stderr, 'write');
    const end = startSpan('ip -batch');
    end();
    expect(write).not.toHaveBeenCalled();
    expect(startSpan('nft -f')).toBe(end);
  });

  it('publishes the ended span to subscribers of the trace channel', () => {
    vi.stubEnv('VOLT_TRACE', '');
    const spans = published(() => startSpan('ip -batch', 'ip -n web-1 -batch -')());
    expect(spans).toEqual([
      {
        span: 'ip -batch',
        start: expect.any(Number),
        ms: expect.any(Number),
        detail: 'ip -n web-1 -batch -',
      },
    ]);
    expect(spans[0]?.ms).toBeGreaterThanOrEqual(0);
  });

  it('writes one JSON line per span on stderr with VOLT_TRACE=1', () => {
    vi.stubEnv('VOLT_TRACE', '1');
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    startSpan('lock: wait')();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0] as string)).toEqual({
      span: 'lock: wait',
      start: expect.any(Number),
      ms: expect.any(Number),
    });
  });
});
