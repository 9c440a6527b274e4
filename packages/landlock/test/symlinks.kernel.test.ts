// Rule paths are opened without following a symlink in any component (issue 16, finding 12): an image
// shipping `/app -> /` must not get the server preset's read-write rights on `/`. Both ways the helper opens
// paths are tried: openat2(RESOLVE_NO_SYMLINKS), and the O_NOFOLLOW walk of kernels before 5.6 (the test
// build's --no-openat2).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LandlockPolicy, Valid } from '@volt/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHelperReport } from '../src/host/helper-report.js';
import {
  ignoreIfMissing,
  landlockPolicy,
  readWrite,
  renderHelperPolicy,
  spawnLandlocked,
  withRules,
} from '../src/index.js';
import { makeTempDir, removeTempDir, runSandboxed, SYSTEM_RULES, TESTING_HELPER } from './support.js';

/** Outside every rule: a write here must be denied whatever the symlinks say. */
const OUTSIDE = `/var/tmp/vtl-symlink-escape-${process.pid}`;

function policyWith(rules: LandlockPolicy['paths']): Valid<LandlockPolicy> {
  return withRules(
    landlockPolicy({ abi: 7, compatibility: 'hard-requirement', handle: { net: false, scopes: false } }),
    SYSTEM_RULES,
    rules,
  );
}

/** The test build with the component walk (no openat2), the policy on fd 0, status records on fd 3. */
function walkHelper(policy: Valid<LandlockPolicy>, script: string) {
  const run = spawnSync(
    'sh',
    [
      '-c',
      'exec "$0" --no-openat2 --policy-fd 0 --status-fd 3 -- /bin/sh -c "$1" 3>&1 1>/dev/null 2>/dev/null',
      TESTING_HELPER,
      script,
    ],
    { input: renderHelperPolicy(policy), timeout: 30_000 },
  );
  const report = parseHelperReport(run.stdout);
  if (!report.ok) throw report.error;
  return { code: run.status, report: report.value };
}

describe('rule paths that are symlinks', () => {
  let dir = '';
  beforeAll(() => {
    dir = makeTempDir('symlink');
    symlinkSync('/', join(dir, 'app'));
    mkdirSync(join(dir, 'data', 'sub'), { recursive: true });
    symlinkSync(join(dir, 'data'), join(dir, 'link'));
  });
  afterAll(() => {
    removeTempDir(dir);
    rmSync(OUTSIDE, { force: true });
  });

  it('an optional rule on `app -> /` is skipped and reported, and grants nothing on /', async () => {
    const app = join(dir, 'app');
    const run = await runSandboxed(
      '/bin/sh',
      ['-c', `echo x > ${OUTSIDE}; echo x > ${app}${OUTSIDE}`],
      policyWith(ignoreIfMissing(readWrite(app))),
    );
    expect(run.status.dropped).toEqual([
      { feature: `path:${app}`, reason: `${app} is a symlink; rule skipped` },
    ]);
    expect(run.stderr).toMatch(/Permission denied/);
    expect(existsSync(OUTSIDE)).toBe(false);
  });

  it('a required rule on a symlink stops the helper, naming the link', async () => {
    const app = join(dir, 'app');
    const { child, status } = await spawnLandlocked('/bin/true', [], {
      policy: policyWith(readWrite(app)),
      stdio: 'pipe',
    });
    const closed = new Promise((resolve) => child.once('close', resolve));
    await expect(status).rejects.toMatchObject({
      code: 'INVALID_PATH',
      message: `volt-landlock: ${app}: ${app} is a symlink; rules are never applied through symlinks`,
    });
    expect(await closed).toBe(125);
  });

  it('a symlink in the middle of a path counts too', async () => {
    const through = join(dir, 'link', 'sub');
    const { status } = await spawnLandlocked('/bin/true', [], {
      policy: policyWith(readWrite(through)),
      stdio: 'pipe',
    });
    await expect(status).rejects.toMatchObject({
      message: `volt-landlock: ${through}: ${join(dir, 'link')} is a symlink; rules are never applied through symlinks`,
    });
    const optional = await runSandboxed('/bin/true', [], policyWith(ignoreIfMissing(readWrite(through))));
    expect(optional.status.dropped).toEqual([
      { feature: `path:${through}`, reason: `${join(dir, 'link')} is a symlink; rule skipped` },
    ]);
  });

  it('the real path is opened and ruled as before', async () => {
    const real = join(dir, 'data', 'sub');
    const run = await runSandboxed('/bin/sh', ['-c', `echo ok > ${real}/file`], policyWith(readWrite(real)));
    expect({ code: run.code, dropped: run.status.dropped }).toEqual({ code: 0, dropped: [] });
  });

  describe('without openat2 (the O_NOFOLLOW walk of kernels before 5.6)', () => {
    it('skips an optional symlink, in the middle or at the end, and rules the real path', () => {
      const real = join(dir, 'data', 'sub');
      const { code, report } = walkHelper(
        policyWith([
          ...ignoreIfMissing(readWrite(join(dir, 'app'), join(dir, 'link', 'sub'))),
          ...readWrite(real),
        ]),
        `echo x > ${OUTSIDE}`,
      );
      expect(code).toBe(2);
      expect(report.skipped).toEqual([
        { feature: `path:${join(dir, 'app')}`, reason: `${join(dir, 'app')} is a symlink; rule skipped` },
        {
          feature: `path:${join(dir, 'link', 'sub')}`,
          reason: `${join(dir, 'link')} is a symlink; rule skipped`,
        },
      ]);
      expect(report.rules.paths.map((rule) => rule.path)).toContain(real);
      expect(existsSync(OUTSIDE)).toBe(false);
    });

    it('refuses a required symlink and reports a missing path as missing', () => {
      const refused = walkHelper(policyWith(readWrite(join(dir, 'app'))), 'true');
      expect({ code: refused.code, error: refused.report.error?.message }).toEqual({
        code: 125,
        error: `volt-landlock: ${join(dir, 'app')}: ${join(dir, 'app')} is a symlink; rules are never applied through symlinks`,
      });
      const missing = walkHelper(policyWith(ignoreIfMissing(readWrite(join(dir, 'data', 'none')))), 'true');
      expect(missing.report.skipped).toEqual([
        { feature: `path:${join(dir, 'data', 'none')}`, reason: 'optional path does not exist' },
      ]);
      writeFileSync(join(dir, 'data', 'plain'), 'x');
      const notDirectory = walkHelper(policyWith(readWrite(join(dir, 'data', 'plain', 'below'))), 'true');
      expect(notDirectory.code).toBe(125);
      expect(notDirectory.report.error?.message).toMatch(/Not a directory/);
    });
  });
});
