import { describe, expect, it } from 'vitest';
import { parseHelperReport } from './helper-report.js';

describe('parseHelperReport', () => {
  const encode = (...tokens: string[]) => new TextEncoder().encode(`${tokens.join('\0')}\0`);

  it('reads status records', () => {
    const report = parseHelperReport(
      encode(
        'abi',
        '7',
        'errata',
        '3',
        'missing',
        '/lib64',
        'masked',
        '16',
        '/dev/null',
        'enforced',
        'seccomp',
        '8',
        'ready',
      ),
    );
    expect(report).toEqual({
      ok: true,
      value: {
        abi: 7,
        errata: 3,
        enforced: true,
        ready: true,
        seccompInstructions: 8,
        dropped: [
          { feature: 'path:/lib64', reason: 'optional path does not exist' },
          { feature: 'path:/dev/null', reason: 'not a directory: directory-only rights masked (remove-dir)' },
        ],
      },
    });
  });

  it('turns helper errors into VoltErrors with stable codes and hints', () => {
    const report = parseHelperReport(
      encode('abi', '7', 'errata', '0', 'error', 'missing-path', '/x does not exist'),
    );
    expect(report.ok && report.value.error).toMatchObject({
      code: 'INVALID_PATH',
      message: 'volt-landlock: /x does not exist',
      hint: expect.stringContaining('--ignore-missing'),
    });
    const unsupported = parseHelperReport(encode('error', 'unsupported', 'no Landlock'));
    expect(unsupported.ok && unsupported.value.error?.code).toBe('UNSUPPORTED');
  });

  it('refuses malformed reports', () => {
    expect(parseHelperReport(new TextEncoder().encode('abi\u00007')).ok).toBe(false);
    expect(parseHelperReport(encode('bogus')).ok).toBe(false);
    // A helper that died before writing anything reports nothing; the caller treats that as not enforced.
    expect(parseHelperReport(new Uint8Array())).toEqual({
      ok: true,
      value: { abi: 0, errata: 0, enforced: false, ready: false, dropped: [] },
    });
  });
});
