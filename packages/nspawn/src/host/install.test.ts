import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unwrap } from '@volt/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseIsolation } from '../model/isolation.js';
import { renderPlan } from '../render/plan.js';
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
