import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unwrap } from '@volt/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseIsolation } from '../model/isolation.js';
import { renderPlan } from '../render/plan.js';
import { readProfileDocument } from './document.js';
import { applyPlan, planChanges, recoverInstall, removeContainerFiles } from './install.js';
import { readInstalledContainer } from './installed.js';

const helper = join(mkdtempSync(join(tmpdir(), 'vtp-helper-')), 'volt-landlock');
writeFileSync(helper, '#!/bin/sh\n');
const target = { landlockAbi: 7, landlockHelper: helper } as const;
const plan = (document: Record<string, unknown>) =>
  renderPlan(unwrap(parseIsolation({ name: 'web', ...document })), target);
const roots: string[] = [];
const newRoot = () => {
  const root = mkdtempSync(join(tmpdir(), 'vtp-root-'));
  roots.push(root);
  return root;
};
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});
afterAll(() => rmSync(join(helper, '..'), { recursive: true, force: true }));

describe('applyPlan under an alternative root', () => {
  it('installs every planned file with its mode, then finds nothing to change', async () => {
    const root = newRoot();
    const rendered = plan({ boot: false, command: ['/usr/bin/app'] });
    const changes = await applyPlan(rendered, { root });
    expect(changes.map((change) => change.action)).toEqual(rendered.files.map(() => 'create'));
    expect(readFileSync(join(root, '/etc/systemd/nspawn/web.nspawn'), 'utf8')).toBe(rendered.nspawnFile);
    expect(
      readFileSync(join(root, '/etc/systemd/system/systemd-nspawn@web.service.d/50-volt.conf'), 'utf8'),
    ).toBe(rendered.serviceDropIn);
    expect(statSync(join(root, '/var/lib/volt/containers/web/runtime/volt-landlock')).mode & 0o777).toBe(
      0o755,
    );
    expect((await applyPlan(rendered, { root })).every((change) => change.action === 'unchanged')).toBe(true);
  });

  it('shows a diff before it changes anything, and removes files the new plan no longer has', async () => {
    const root = newRoot();
    await applyPlan(plan({ boot: false, command: ['/usr/bin/app'] }), { root });
    const next = plan({
      boot: false,
      command: ['/usr/bin/app'],
      landlock: 'none',
      network: { mode: 'none' },
    });
    const preview = await planChanges(next, { root });
    expect(preview.find((change) => change.path.endsWith('.nspawn'))?.diff).toContain('+VirtualEthernet=no');
    expect(
      preview
        .filter((change) => change.action === 'remove')
        .map((change) => change.path)
        .sort(),
    ).toEqual([
      '/var/lib/volt/containers/web/landlock.json',
      '/var/lib/volt/containers/web/runtime/landlock.policy',
    ]);
    expect(existsSync(join(root, '/var/lib/volt/containers/web/runtime/landlock.policy'))).toBe(true);
    await applyPlan(next, { root });
    expect(existsSync(join(root, '/var/lib/volt/containers/web/runtime/landlock.policy'))).toBe(false);
    expect(readFileSync(join(root, '/etc/systemd/nspawn/web.nspawn'), 'utf8')).toBe(next.nspawnFile);
  });

  it('two applies at once end in one consistent state', async () => {
    const root = newRoot();
    const first = plan({ network: { mode: 'host' } });
    const second = plan({ network: { mode: 'none' }, readOnlyRoot: true });
    await Promise.all([applyPlan(first, { root }), applyPlan(second, { root })]);
    const nspawn = readFileSync(join(root, '/etc/systemd/nspawn/web.nspawn'), 'utf8');
    const dropIn = readFileSync(
      join(root, '/etc/systemd/system/systemd-nspawn@web.service.d/50-volt.conf'),
      'utf8',
    );
    const winner = nspawn === first.nspawnFile ? first : second;
    expect(nspawn).toBe(winner.nspawnFile);
    expect(dropIn).toBe(winner.serviceDropIn);
  });

  it('remove takes away every file it installed and the state directory', async () => {
    const root = newRoot();
    await applyPlan(plan({ boot: false, command: ['/usr/bin/app'] }), { root });
    const removed = await removeContainerFiles('web', { root });
    expect(removed.length).toBeGreaterThan(3);
    for (const path of removed) expect(existsSync(join(root, path))).toBe(false);
    expect(existsSync(join(root, '/var/lib/volt/containers/web'))).toBe(false);
    expect(existsSync(join(root, '/etc/systemd/system/systemd-nspawn@web.service.d'))).toBe(false);
    expect(await recoverInstall('web', { root })).toBe('clean');
  });
});

describe('reading an installed container back', () => {
  it('parses what apply installed into the same isolation (render, install, read, render)', async () => {
    const root = newRoot();
    const rendered = plan({
      workloadUnit: 'app.service',
      command: ['/usr/bin/app'],
      readOnlyRoot: true,
      network: { mode: 'none' },
    });
    await applyPlan(rendered, { root });
    const config = await readInstalledContainer('web', { root });
    const again = renderPlan(config, target);
    expect(again.nspawnFile).toBe(rendered.nspawnFile);
    expect(again.serviceDropIn).toBe(rendered.serviceDropIn);
    expect(config.workloadUnit).toBe('app.service');
  });
});

/** The modes of every directory under `dir`, by path relative to it. */
function directoryModes(dir: string, prefix = ''): Record<string, string> {
  const modes: Record<string, string> = {};
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(prefix, entry.name);
    modes[path] = (statSync(join(dir, path)).mode & 0o7777).toString(8);
    Object.assign(modes, directoryModes(dir, path));
  }
  return modes;
}

describe('the manifest records each install', () => {
  it('a read-only Boot=no root (resolv.conf in the runtime directory) applies again and is removed whole', async () => {
    const root = newRoot();
    const readOnly = plan({
      boot: false,
      command: ['/bin/app'],
      readOnlyRoot: true,
      network: { mode: 'none' },
    });
    expect(readOnly.files.map((file) => file.path)).toContain(
      '/var/lib/volt/containers/web/runtime/resolv.conf',
    );
    await applyPlan(readOnly, { root, route: 'direct' });
    const again = await applyPlan(readOnly, { root, route: 'direct' });
    expect(again.every((change) => change.action === 'unchanged')).toBe(true);
    expect(await removeContainerFiles('web', { root })).toContain(
      '/var/lib/volt/containers/web/runtime/resolv.conf',
    );
  });

  it('records the route, the profile it came from and the SHA-256 of every file', async () => {
    const root = newRoot();
    const profile = { path: '/srv/web.yaml', sha256: 'c'.repeat(64) };
    await applyPlan(plan({ boot: false, command: ['/bin/app'] }), { root, route: 'direct', profile });
    const manifest = JSON.parse(
      readFileSync(join(root, 'var/lib/volt/containers/web/manifest.json'), 'utf8'),
    );
    expect(manifest.route).toBe('direct');
    expect(manifest.profile).toEqual(profile);
    for (const file of manifest.files) {
      const bytes = readFileSync(join(root, file.path));
      expect(file.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    // the same plan from another profile file: only the manifest is written again
    const moved = { path: '/srv/moved.yaml', sha256: 'c'.repeat(64) };
    await applyPlan(plan({ boot: false, command: ['/bin/app'] }), { root, route: 'direct', profile: moved });
    expect(
      JSON.parse(readFileSync(join(root, 'var/lib/volt/containers/web/manifest.json'), 'utf8')).profile,
    ).toEqual(moved);
  });
});

describe('issue 16: the installer', () => {
  const workload = { workloadUnit: 'app.service', command: ['/usr/bin/app'] };

  it('creates every directory 0755 and every file with its mode, whatever the umask (finding 10)', async () => {
    for (const umask of [0o000, 0o077]) {
      const root = newRoot();
      const previous = process.umask(umask);
      try {
        await applyPlan(plan(workload), { root });
      } finally {
        process.umask(previous);
      }
      const modes = directoryModes(root);
      expect(Object.keys(modes)).toContain('var/lib/volt/containers/web/runtime');
      expect(Object.keys(modes)).toContain('etc/systemd/system/systemd-nspawn@web.service.d');
      expect(new Set(Object.values(modes))).toEqual(new Set(['755']));
      expect(statSync(join(root, '/etc/systemd/nspawn/web.nspawn')).mode & 0o777).toBe(0o644);
      expect(statSync(join(root, '/var/lib/volt/containers/web/runtime/volt-landlock')).mode & 0o777).toBe(
        0o755,
      );
    }
  });

  it('sets the mode of its own directories again when another install left them open to others (finding 10)', async () => {
    const root = newRoot();
    const previous = process.umask(0);
    try {
      mkdirSync(join(root, 'var/lib/volt/containers/web/runtime'), { recursive: true, mode: 0o777 });
      await applyPlan(plan(workload), { root });
    } finally {
      process.umask(previous);
    }
    expect(statSync(join(root, 'var/lib/volt/containers/web')).mode & 0o777).toBe(0o755);
    expect(statSync(join(root, 'var/lib/volt/containers/web/runtime')).mode & 0o777).toBe(0o755);
  });

  it('never writes through a symlink planted at a predictable temp name (finding 2)', async () => {
    const root = newRoot();
    const victim = join(newRoot(), 'victim');
    writeFileSync(victim, 'precious\n');
    const rendered = plan(workload);
    for (const file of rendered.files) {
      mkdirSync(dirname(join(root, file.path)), { recursive: true });
      // The names the installer used before: FILE.volt-tmp-PID.
      symlinkSync(victim, join(root, `${file.path}.volt-tmp-${process.pid}`));
    }
    await applyPlan(rendered, { root });
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readFileSync(join(root, '/etc/systemd/nspawn/web.nspawn'), 'utf8')).toBe(rendered.nspawnFile);
  });

  it('a directory named like a temp file breaks neither recovery, apply nor remove, and is left alone (finding 6)', async () => {
    const root = newRoot();
    await applyPlan(plan(workload), { root });
    const strays = [
      '/etc/systemd/nspawn/web.nspawn.volt-tmp-1',
      '/etc/systemd/nspawn/.volt-0123456789abcdef0123456789abcdef.tmp',
      '/var/lib/volt/containers/web/runtime/volt-landlock.volt-tmp-1',
    ];
    for (const stray of strays) mkdirSync(join(root, stray), { recursive: true });
    expect(await recoverInstall('web', { root })).toBe('clean');
    await applyPlan(plan({ ...workload, command: ['/usr/bin/other'] }), { root });
    expect(readFileSync(join(root, '/var/lib/volt/containers/web/zz-volt-landlock.conf'), 'utf8')).toContain(
      '/usr/bin/other',
    );
    await removeContainerFiles('web', { root });
    for (const stray of strays) expect(statSync(join(root, stray)).isDirectory()).toBe(true);
    expect(existsSync(join(root, '/etc/systemd/nspawn/web.nspawn'))).toBe(false);
  });

  it('recovery removes exactly the temp files its journal names, and refuses a journal naming other files', async () => {
    const root = newRoot();
    await applyPlan(plan(workload), { root });
    const state = join(root, 'var/lib/volt/containers/web');
    const temp = '.volt-00000000000000000000000000000001.tmp';
    const other = '.volt-00000000000000000000000000000002.tmp';
    writeFileSync(join(root, 'etc/systemd/nspawn', temp), 'partial');
    writeFileSync(join(root, 'etc/systemd/nspawn', other), 'not named');
    writeFileSync(
      join(state, 'install-journal.json'),
      JSON.stringify({
        state: 'prepared',
        writes: [{ path: '/etc/systemd/nspawn/web.nspawn', temp }],
        removals: [],
        journalTemp: '.volt-00000000000000000000000000000003.tmp',
      }),
    );
    expect(await recoverInstall('web', { root })).toBe('rolled-back');
    expect(existsSync(join(root, 'etc/systemd/nspawn', temp))).toBe(false);
    expect(existsSync(join(root, 'etc/systemd/nspawn', other))).toBe(true);

    writeFileSync(
      join(state, 'install-journal.json'),
      JSON.stringify({ state: 'committed', writes: [], removals: ['/etc/passwd'], journalTemp: temp }),
    );
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0\n');
    await expect(recoverInstall('web', { root })).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: expect.stringContaining('install-journal.json'),
    });
    expect(existsSync(join(root, 'etc/passwd'))).toBe(true);
  });

  it('refuses a manifest that names a file Volt does not install, and removes nothing then', async () => {
    const root = newRoot();
    await applyPlan(plan(workload), { root });
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0\n');
    writeFileSync(
      join(root, 'var/lib/volt/containers/web/manifest.json'),
      JSON.stringify(['/etc/passwd', '/etc/systemd/nspawn/web.nspawn']),
    );
    await expect(removeContainerFiles('web', { root })).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: expect.stringContaining('manifest.json'),
    });
    expect(existsSync(join(root, 'etc/passwd'))).toBe(true);
    expect(existsSync(join(root, 'etc/systemd/nspawn/web.nspawn'))).toBe(true);
  });

  it('the template route installs only for /var/lib/machines/NAME, the direct route for any rootfs (finding 9)', async () => {
    const root = newRoot();
    const elsewhere = plan({ ...workload, rootfs: '/srv/web' });
    await expect(applyPlan(elsewhere, { root })).rejects.toMatchObject({
      code: 'CONFLICT',
      path: ['rootfs'],
      message: expect.stringContaining('/var/lib/machines/web'),
    });
    expect(existsSync(join(root, 'etc'))).toBe(false);
    await applyPlan(elsewhere, { root, route: 'direct' });
    expect(existsSync(join(root, '/var/lib/volt/containers/web/zz-volt-landlock.conf'))).toBe(true);
  });

  it('removes its own directories when they are empty, and leaves one that holds something else', async () => {
    const root = newRoot();
    await applyPlan(plan(workload), { root });
    writeFileSync(join(root, 'etc/systemd/system/systemd-nspawn@web.service.d/60-admin.conf'), '[Service]\n');
    await removeContainerFiles('web', { root });
    expect(existsSync(join(root, 'var/lib/volt/containers/web'))).toBe(false);
    expect(readdirSync(join(root, 'etc/systemd/system/systemd-nspawn@web.service.d'))).toEqual([
      '60-admin.conf',
    ]);
  });
});

describe('issue 16: reading a profile file (finding 11)', () => {
  it('reads at most 1 MiB: a larger file and an endless one are refused before YAML parsing', async () => {
    const file = join(newRoot(), 'big.yaml');
    writeFileSync(file, `name: web\n${'# padding\n'.repeat(110_000)}`);
    await expect(readProfileDocument(file)).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: expect.stringContaining('larger than 1048576 bytes'),
    });
    await expect(readProfileDocument('/dev/zero')).rejects.toMatchObject({ code: 'PARSE_ERROR' });
  });

  it('a profile just under the limit is read', async () => {
    const file = join(newRoot(), 'ok.yaml');
    writeFileSync(file, 'name: web\nboot: true\n');
    expect(await readProfileDocument(file)).toEqual({ name: 'web', boot: true });
  });
});
