import { describe, expect, it } from 'vitest';
import { parseHelperReport } from './helper-report.js';

describe('parseHelperReport', () => {
  const encode = (...tokens: string[]) => new TextEncoder().encode(`${tokens.join('\0')}\0`);

  it('reads status records', () => {
    const report = parseHelperReport(
      encode(
        ...['abi', '2', 'errata', '3'],
        ...['dropped', 'fs:truncate', 'needs Landlock ABI 3 (Linux 6.2); this kernel has ABI 2'],
        ...['enforcement', 'partially'],
        ...['container', 'network: host0 10.0.0.2/24 via 10.0.0.1'],
        ...['handled-fs', '8191', 'handled-net', '0', 'scoped', '0', 'restrict-flags', '0'],
        ...['rule-path', '4', '/etc', 'rule-port', '1', '8080'],
        ...['skipped', 'path:/lib64', 'optional path does not exist'],
        ...['skipped', 'path:/bin', '/bin is a symlink; rule skipped'],
        ...['enforced', 'seccomp', '8', 'exec'],
      ),
    );
    expect(report).toEqual({
      ok: true,
      value: {
        abi: 2,
        errata: 3,
        enforcement: 'partially',
        dropped: [
          { feature: 'fs:truncate', reason: 'needs Landlock ABI 3 (Linux 6.2); this kernel has ABI 2' },
        ],
        skipped: [
          { feature: 'path:/lib64', reason: 'optional path does not exist' },
          { feature: 'path:/bin', reason: '/bin is a symlink; rule skipped' },
        ],
        ruleset: { fs: 8191, net: 0, scoped: 0, restrictFlags: 0 },
        rules: { paths: [{ path: '/etc', access: 4 }], ports: [{ port: 8080, access: 1 }] },
        enforced: true,
        container: 'network: host0 10.0.0.2/24 via 10.0.0.1',
        seccompInstructions: 8,
        ready: false,
        executing: true,
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
    const symlink = parseHelperReport(encode('error', 'symlink-path', '/app: /app is a symlink'));
    expect(symlink.ok && symlink.value.error).toMatchObject({
      code: 'INVALID_PATH',
      hint: expect.stringContaining('optional'),
    });
    const unsupported = parseHelperReport(encode('error', 'unsupported', 'no Landlock'));
    expect(unsupported.ok && unsupported.value.error?.code).toBe('UNSUPPORTED');
  });

  it('refuses malformed reports', () => {
    expect(parseHelperReport(new TextEncoder().encode('abi\u00007')).ok).toBe(false);
    expect(parseHelperReport(encode('bogus')).ok).toBe(false);
    expect(parseHelperReport(encode('dropped', 'fs:refer')).ok).toBe(false);
    expect(parseHelperReport(encode('enforcement', 'mostly')).ok).toBe(false);
    expect(parseHelperReport(encode('abi', 'seven')).ok).toBe(false);
    // A helper that died before writing anything reports nothing; the caller treats that as not enforced.
    expect(parseHelperReport(new Uint8Array())).toEqual({
      ok: true,
      value: {
        abi: 0,
        errata: 0,
        dropped: [],
        skipped: [],
        rules: { paths: [], ports: [] },
        enforced: false,
        ready: false,
        executing: false,
      },
    });
  });
});
