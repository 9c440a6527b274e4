// The helper reads its policy as untrusted bytes: every malformed policy must end in exit 125 with a
// 'bad-policy' error, never in a crash, a hang or a command run under a policy it did not understand.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHelperReport } from '../src/host/helper-report.js';
import {
  ignoreIfMissing,
  landlockHelperPath,
  landlockPolicy,
  readExec,
  readWrite,
  renderHelperPolicy,
  withRules,
} from '../src/index.js';
import { kernelTierReason } from './support.js';

const _skip = kernelTierReason();

const policy = withRules(
  landlockPolicy({ abi: 7, handle: { scopes: false } }),
  ignoreIfMissing(readExec('/usr', '/bin', '/lib', '/lib64')),
  readWrite('/tmp'),
  [{ port: 8080, access: ['bind-tcp'] }],
);
const valid = renderHelperPolicy(policy);

function runHelper(bytes: Uint8Array) {
  // fd 3 carries the status report, fd 0 the policy.
  return spawnSync(
    'sh',
    [
      '-c',
      `exec "$0" --policy-fd 0 --status-fd 3 -- /bin/true 3>&1 1>/dev/null 2>/dev/null`,
      landlockHelperPath(),
    ],
    { input: bytes, timeout: 10_000 },
  );
}

describe('the helper against hostile policy bytes', () => {
  it('runs the valid policy', () => {
    const run = runHelper(valid);
    expect(run.status).toBe(0);
    const report = parseHelperReport(run.stdout);
    expect(report.ok && report.value.enforced).toBe(true);
  });

  it('refuses truncated, corrupted and padded policies without crashing', () => {
    const mutation = fc.oneof(
      fc.nat({ max: valid.length - 1 }).map((cut) => valid.slice(0, cut)),
      fc
        .tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }))
        .map(([at, byte]) => valid.map((value, index) => (index === at ? byte : value))),
      fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => new Uint8Array([...valid, ...extra])),
      fc.uint8Array({ maxLength: 64 }),
    );
    fc.assert(
      fc.property(mutation, (bytes) => {
        const run = runHelper(bytes);
        expect(run.signal).toBeNull();
        const report = parseHelperReport(run.stdout);
        expect(report.ok).toBe(true);
        if (!report.ok) return;
        if (run.status === 0) expect(report.value.enforced).toBe(true);
        else {
          expect([125, 126, 127]).toContain(run.status);
          expect(report.value.error).toBeDefined();
        }
      }),
    );
  });
});
