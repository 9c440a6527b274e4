// The shared downgrade table (spec/downgrade-cases.json) against the helper itself: its test build decides
// as if the kernel had the case's ABI (--emulate-abi, never in the shipped helper), then builds the real
// ruleset on this kernel. The same cases run against resolveLandlockCompatibility in the unit tests.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseHelperReport } from '../src/host/helper-report.js';
import { landlockHelperPath, probeLandlock, renderHelperPolicy } from '../src/index.js';
import {
  LANDLOCK_FS_BITS,
  LANDLOCK_LOG_FLAG_BITS,
  LANDLOCK_NET_BITS,
  LANDLOCK_SCOPE_BITS,
  LANDLOCK_THREAD_SYNC_BIT,
  rightsMask,
} from '../src/model/rights.js';
import { downgradeCases } from './downgrade-cases.js';
import { TESTING_HELPER } from './support.js';

/** Runs a helper with the policy on fd 0 and its status records on fd 3 (read back from stdout). */
function runHelper(helper: string, options: readonly string[], policy: Uint8Array) {
  const run = spawnSync(
    'sh',
    [
      '-c',
      'exec "$0" "$@" 3>&1 1>/dev/null 2>/dev/null',
      helper,
      ...options,
      '--policy-fd',
      '0',
      '--status-fd',
      '3',
      '--',
      '/bin/true',
    ],
    { input: policy, timeout: 30_000 },
  );
  const report = parseHelperReport(run.stdout);
  if (!report.ok) throw report.error;
  return { code: run.status, report: report.value };
}

const kernel = await probeLandlock(landlockHelperPath());

describe('the shared downgrade table, decided by the helper (emulating each ABI on this kernel)', () => {
  for (const item of downgradeCases()) {
    it(`${item.name} (ABI ${item.abi})`, () => {
      expect(item.abi).toBeLessThanOrEqual(kernel.abi);
      const { code, report } = runHelper(
        TESTING_HELPER,
        ['--emulate-abi', String(item.abi)],
        renderHelperPolicy(item.policy),
      );
      expect(report.abi).toBe(item.abi);
      if ('failure' in item.expect) {
        expect({ code, error: report.error?.code, message: report.error?.message }).toEqual({
          code: 125,
          error: 'UNSUPPORTED',
          message: `volt-landlock: ${item.expect.failure}`,
        });
        return;
      }
      const { kept } = item.expect;
      const enforces = kept.handledFs.length + kept.handledNet.length + kept.scopes.length > 0;
      expect({
        code,
        enforcement: report.enforcement,
        dropped: report.dropped,
        skipped: report.skipped,
        enforced: report.enforced,
        ruleset: report.ruleset,
        rules: report.rules,
      }).toEqual({
        code: 0,
        enforcement: item.expect.enforcement,
        dropped: item.expect.dropped,
        skipped: [],
        enforced: enforces,
        ruleset: enforces
          ? {
              fs: rightsMask(LANDLOCK_FS_BITS, kept.handledFs),
              net: rightsMask(LANDLOCK_NET_BITS, kept.handledNet),
              scoped: rightsMask(LANDLOCK_SCOPE_BITS, kept.scopes),
              restrictFlags:
                rightsMask(LANDLOCK_LOG_FLAG_BITS, kept.logFlags) |
                (kept.threadSync ? LANDLOCK_THREAD_SYNC_BIT : 0),
            }
          : undefined,
        rules: {
          paths: kept.paths.map((rule) => ({
            path: rule.path,
            access: rightsMask(LANDLOCK_FS_BITS, rule.access),
          })),
          ports: kept.ports.map((rule) => ({
            port: rule.port,
            access: rightsMask(LANDLOCK_NET_BITS, rule.access),
          })),
        },
      });
    });
  }

  it('the shipped helper has no ABI emulation', () => {
    const run = spawnSync(landlockHelperPath(), ['--emulate-abi', '2', '--', '/bin/true'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(125);
    expect(run.stderr).toMatch(/^volt-landlock: usage:/);
  });

  it('the test build emulates only a lower ABI than the kernel has', () => {
    const run = spawnSync(TESTING_HELPER, ['--emulate-abi', String(kernel.abi + 1), '--', '/bin/true'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(125);
    expect(run.stderr).toMatch(/only a lower ABI can be emulated/);
  });
});
