import { describe, expect, it } from 'vitest';
import {
  type CheckResult,
  formatBench,
  formatCheckResult,
  formatSummary,
  median,
  parseConsoleLine,
} from './results.js';

const result: CheckResult = {
  name: 'memory',
  passed: false,
  seconds: 1.25,
  observations: [
    { what: 'memory.max', expected: '= 67108864', observed: 'max', passed: false },
    { what: 'output', expected: '~ /x/', observed: 'x', passed: true },
  ],
  error: 'boom',
};

describe('console protocol', () => {
  it('reads stage, result and done lines, also after kernel noise and with CR', () => {
    expect(parseConsoleLine('VTV-STAGE runner started\r')).toEqual({ kind: 'stage', text: 'runner started' });
    expect(parseConsoleLine(`[  3.1] VTV-RESULT ${JSON.stringify(result)}\r`)).toEqual({
      kind: 'result',
      result,
    });
    expect(parseConsoleLine('VTV-DONE 50.3')).toEqual({ kind: 'done', uptimeSeconds: 50.3 });
  });

  it('ignores boot messages and garbled lines', () => {
    expect(parseConsoleLine('[    0.000000] Linux version 6.1.0')).toBeUndefined();
    expect(parseConsoleLine('VTV-RESULT {"name":')).toBeUndefined();
    expect(parseConsoleLine('VTV-RESULT {"name":"x"}')).toBeUndefined();
    expect(parseConsoleLine('VTV-DONE soon')).toBeUndefined();
  });

  it('reports each observation with what was expected and seen, and the summary line', () => {
    expect(formatCheckResult(result)).toEqual([
      'FAIL memory (1.3s)',
      '     BAD  memory.max: observed "max" (expected = 67108864)',
      '     ok   output: observed "x" (expected ~ /x/)',
      '     error: boom',
    ]);
    expect(formatSummary(9, 1)).toBe('e2e: 9 passed, 1 failed');
  });
});

describe('bench report', () => {
  it('reads bench lines and reports medians and the ratio against plain systemd-nspawn', () => {
    const line =
      'VTV-BENCH {"name":"start","volt":[3000,3400,3200],"plain":[1000,1200,1100],"nodeAlone":[900,1000,950]}';
    const event = parseConsoleLine(line);
    expect(event?.kind).toBe('bench');
    if (event?.kind !== 'bench') return;
    expect(formatBench(event.result)).toBe(
      'bench start: volt run 3200 ms, systemd-nspawn 1100 ms (median of 3): ratio 2.91 (volt run / systemd-nspawn); node alone 950 ms',
    );
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([Number.NaN])).toBeNaN();
  });
});
