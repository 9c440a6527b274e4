import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VOLT_BIN } from '../testing/volt-bin.js';

const volt = (...args: string[]) =>
  spawnSync(process.execPath, [VOLT_BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
const scratch = mkdtempSync(join(tmpdir(), 'vc21-list-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Listed {
  readonly name: string;
  readonly route: string | null;
  readonly profile: string | null;
  readonly drift: { state: string; changes: string[]; reason?: string };
}

/** An install root with one container applied from its own profile file. */
function installed(name: string, command = '/bin/app'): { root: string; profile: string } {
  const root = join(scratch, name);
  mkdirSync(root);
  const profile = join(scratch, `${name}.yaml`);
  writeFileSync(profile, `name: ${name}\nboot: false\ncommand: [${command}]\nnetwork: { mode: none }\n`);
  const apply = volt('apply', profile, '--root', root);
  expect(apply.status).toBe(0);
  return { root, profile };
}

const list = (root: string): Listed[] => {
  const run = volt('list', '--root', root, '--json');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as Listed[];
};

describe('volt list', () => {
  it('lists an applied container with its route, its profile and no drift', () => {
    const { root, profile } = installed('vc21-web');
    expect(list(root)).toEqual([
      expect.objectContaining({
        name: 'vc21-web',
        route: 'template',
        profile: realpathSync(profile),
        drift: { state: 'in-sync', changes: [] },
      }),
    ]);
    const text = volt('list', '--root', root).stdout;
    expect(text).toMatch(/^NAME +ROUTE +STATE +DRIFT\nvc21-web +template +\S.* +in sync\n$/);
  });

  it('tells a file changed by hand and a profile changed since it was applied', () => {
    const { root, profile } = installed('vc21-edit');
    appendFileSync(join(root, 'etc/systemd/nspawn/vc21-edit.nspawn'), '# by hand\n');
    writeFileSync(
      profile,
      'name: vc21-edit\nboot: false\ncommand: [/bin/app]\nnetwork: { mode: none }\nreadOnlyRoot: true\n',
    );
    const [container] = list(root);
    expect(container?.drift.state).toBe('drifted');
    expect(container?.drift.changes).toEqual(
      expect.arrayContaining([
        '/etc/systemd/nspawn/vc21-edit.nspawn: changed since it was installed',
        `${realpathSync(profile)}: changed since it was applied`,
      ]),
    );
  });

  it('tells what the profile renders differently, without a hand edit', () => {
    const { root, profile } = installed('vc21-render');
    writeFileSync(
      profile,
      'name: vc21-render\nboot: false\ncommand: [/bin/other]\nnetwork: { mode: none }\n',
    );
    expect(list(root)[0]?.drift.changes).toEqual(
      expect.arrayContaining([
        '/etc/systemd/nspawn/vc21-render.nspawn: differs from what the profile renders',
      ]),
    );
    // applied again, it is in sync
    expect(volt('apply', profile, '--root', root).status).toBe(0);
    expect(list(root)[0]?.drift).toEqual({ state: 'in-sync', changes: [] });
  });

  it('says why drift cannot be told: the profile is gone, or an older Volt recorded nothing', () => {
    const gone = installed('vc21-gone');
    rmSync(gone.profile);
    expect(list(gone.root)[0]?.drift).toEqual({
      state: 'unknown',
      changes: [],
      reason: `the profile ${join(realpathSync(scratch), 'vc21-gone.yaml')} is gone`,
    });
    const older = installed('vc21-older');
    writeFileSync(
      join(older.root, 'var/lib/volt/containers/vc21-older/manifest.json'),
      JSON.stringify(['/etc/systemd/nspawn/vc21-older.nspawn']),
    );
    expect(list(older.root)[0]).toMatchObject({
      route: null,
      drift: { state: 'unknown', reason: expect.stringMatching(/older Volt/) },
    });
  });

  it('follows no symlink planted where an installed file was: its drift cannot be told, and says why', () => {
    const { root } = installed('vc21-planted');
    const nspawnFile = join(root, 'etc/systemd/nspawn/vc21-planted.nspawn');
    rmSync(nspawnFile);
    symlinkSync('/etc/passwd', nspawnFile);
    expect(list(root)[0]?.drift).toEqual({
      state: 'unknown',
      changes: [],
      reason: expect.stringMatching(/vc21-planted\.nspawn is a symlink/),
    });
  });

  it('says so when nothing is installed', () => {
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    expect(volt('list', '--root', empty).stdout).toBe('no containers installed by Volt\n');
    expect(list(empty)).toEqual([]);
  });
});
