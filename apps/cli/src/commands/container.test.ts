import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { VOLT_BIN } from '../testing/volt-bin.js';

const main = VOLT_BIN;
const example = fileURLToPath(new URL('../../../../examples/web.yaml', import.meta.url));
const volt = (...args: string[]) =>
  spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 60_000 });
const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('volt apply and volt remove under --root', () => {
  it('shows the changes with --dry-run and writes nothing, then installs, then finds nothing to do', () => {
    const root = mkdtempSync(join(tmpdir(), 'vtp-cli-root-'));
    roots.push(root);
    const dry = volt('apply', example, '--root', root, '--dry-run');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('create    /etc/systemd/nspawn/web.nspawn');
    expect(dry.stdout).toContain('(dry run: nothing was changed)');
    expect(existsSync(join(root, 'etc/systemd/nspawn/web.nspawn'))).toBe(false);

    expect(volt('apply', example, '--root', root).status).toBe(0);
    const rendered = volt('render', '--profile', example, '--only', 'nspawn').stdout;
    expect(readFileSync(join(root, 'etc/systemd/nspawn/web.nspawn'), 'utf8')).toBe(rendered);
    const again = JSON.parse(volt('apply', example, '--root', root, '--json').stdout) as { action: string }[];
    expect(again.every((change) => change.action === 'unchanged')).toBe(true);
  });

  it('installs a profile that extends a file and a preset: the files render exactly as volt render shows them (issue 18)', () => {
    const root = mkdtempSync(join(tmpdir(), 'vp18-cli-root-'));
    roots.push(root);
    for (const name of ['web-staging.yaml', 'nightly-report.yaml']) {
      const profile = fileURLToPath(new URL(`../../../../examples/${name}`, import.meta.url));
      const machine = name === 'web-staging.yaml' ? 'web-staging' : 'nightly-report';
      expect(volt('apply', profile, '--root', root).status).toBe(0);
      const rendered = volt('render', '--profile', profile, '--only', 'nspawn').stdout;
      expect(readFileSync(join(root, `etc/systemd/nspawn/${machine}.nspawn`), 'utf8')).toBe(rendered);
    }
    expect(readFileSync(join(root, 'etc/systemd/nspawn/nightly-report.nspawn'), 'utf8')).toMatch(
      /^ReadOnly=yes$/m,
    );
    expect(
      readFileSync(
        join(root, 'etc/systemd/system/systemd-nspawn@nightly-report.service.d/50-volt.conf'),
        'utf8',
      ),
    ).not.toContain('MemoryHigh=');
  });

  it('removes everything it installed', () => {
    const root = mkdtempSync(join(tmpdir(), 'vtp-cli-root-'));
    roots.push(root);
    expect(volt('apply', example, '--root', root).status).toBe(0);
    const removed = JSON.parse(volt('remove', 'web', '--root', root, '--json').stdout) as string[];
    expect(removed).toContain('/etc/systemd/nspawn/web.nspawn');
    for (const path of removed) expect(existsSync(join(root, path))).toBe(false);
  });
});
