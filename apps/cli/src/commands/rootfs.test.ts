import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VOLT_BIN } from '../testing/volt-bin.js';

const volt = (...args: string[]) =>
  spawnSync(process.execPath, [VOLT_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
const scratch = mkdtempSync(join(tmpdir(), 'vc21-rootfs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('volt rootfs busybox', () => {
  it("makes a tiny root from the host's busybox-static, with an applet link for each command", () => {
    const root = join(scratch, 'hello');
    const run = volt('rootfs', 'busybox', root, '--json');
    expect(run.status).toBe(0);
    const made = JSON.parse(run.stdout) as { directory: string; applets: number };
    expect(made.directory).toBe(root);
    expect(statSync(join(root, 'bin/busybox')).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(root, 'bin/sh'))).toBe('/bin/busybox');
    expect(lstatSync(join(root, 'usr/bin/env')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(root, 'etc/os-release'), 'utf8')).toMatch(/^ID=busybox$/m);
    expect(statSync(join(root, 'tmp')).mode & 0o7777).toBe(0o1777);
    expect(made.applets).toBeGreaterThan(100);
  });

  it('refuses a directory that is not empty, and a host system tree (exit 2)', () => {
    const used = join(scratch, 'hello');
    const again = volt('rootfs', 'busybox', used);
    expect([again.status, again.stderr]).toEqual([
      2,
      expect.stringMatching(/^volt: INVALID_PATH at directory: .* is not empty/),
    ]);
    const host = volt('rootfs', 'busybox', '/etc/box');
    expect([host.status, host.stderr]).toEqual([
      2,
      expect.stringMatching(
        /^volt: INVALID_PATH at directory: the container root \/etc\/box lies in the host's \/etc/,
      ),
    ]);
  });
});
