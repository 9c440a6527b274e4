import { parseUnitFile, unitFileValues, unwrap, type ValidIsolation } from '@volt/core';
import { parseContainerLease, planBridge } from '@volt/netns';
import { describe, expect, it } from 'vitest';
import { voltErrorOf } from '../../test/volt-error.js';
import { defaultIsolation, parseIsolation } from '../model/isolation.js';
import { renderPlan } from './plan.js';
import {
  NSPAWN_SECTIONS,
  NSPAWN_SETTING_ARGUMENTS,
  type NspawnSetting,
  renderNspawnFile,
  settingsToArguments,
} from './settings.js';

const target = { landlockAbi: 7, landlockHelper: '/usr/lib/volt/volt-landlock' } as const;
const plan = (config: ValidIsolation) => renderPlan(config, target);
const isolation = (document: Record<string, unknown>) => unwrap(parseIsolation({ name: 'web', ...document }));
const fromProfile = (document: Record<string, unknown>) => plan(isolation(document));
const nspawnFile = (config: ValidIsolation) => unwrap(parseUnitFile(plan(config).nspawnFile));

describe('the default plan', () => {
  const rendered = plan(defaultIsolation('web'));

  it('keeps the seed behaviour that was right: Boot=yes, private users, the two environment variables', () => {
    const file = unwrap(parseUnitFile(rendered.nspawnFile));
    expect(unitFileValues(file, 'Exec', 'Boot')).toEqual(['yes']);
    expect(unitFileValues(file, 'Exec', 'PrivateUsers')).toEqual(['pick']);
    expect(unitFileValues(file, 'Exec', 'Environment')).toEqual([
      'VOLT_CONTAINER=web',
      'VOLT_RUNTIME=hybrid',
    ]);
    expect(rendered.direct.argv).toContain('--private-users=pick');
    expect(rendered.direct.argv).toContain('--network-bridge=voltbr0');
  });

  it('renders the seed default limits as systemd properties, Delegate=yes first', () => {
    expect(rendered.properties).toEqual([
      ['Delegate', 'yes'],
      ['MemoryHigh', '1G'],
      ['MemoryMax', '2G'],
      ['CPUWeight', '100'],
      ['IOWeight', '100'],
      ['TasksMax', '4096'],
    ]);
  });
});

describe('correction 1: limits go where systemd applies them, never into the .nspawn file', () => {
  const rendered = plan(defaultIsolation('web'));

  it('the .nspawn file has only [Exec], [Files] and [Network]', () => {
    const sections = unwrap(parseUnitFile(rendered.nspawnFile)).sections.map((section) => section.name);
    expect(sections).toEqual([...NSPAWN_SECTIONS]);
    expect(rendered.nspawnFile).not.toContain('ResourceControl');
    expect(rendered.nspawnFile).not.toContain('MemoryMax');
  });

  it('the direct route carries every limit as --property=, the template route as a [Service] drop-in', () => {
    for (const [key, value] of rendered.properties)
      expect(rendered.direct.argv).toContain(`--property=${key}=${value}`);
    const dropIn = unwrap(parseUnitFile(rendered.serviceDropIn));
    expect(dropIn.sections.map((section) => section.name)).toEqual(['Service']);
    for (const [key, value] of rendered.properties)
      expect(unitFileValues(dropIn, 'Service', key)).toEqual([value]);
    expect(rendered.files.map((file) => file.path)).toContain(
      '/etc/systemd/system/systemd-nspawn@web.service.d/50-volt.conf',
    );
  });
});

describe('correction 2: every network mode holds against the stock unit (--network-veth -U --settings=override)', () => {
  const network = (mode: 'private' | 'host' | 'none') => isolation({ network: { mode } });

  it('host mode states Private=no and VirtualEthernet=no, so the unit veth is not added', () => {
    const file = nspawnFile(network('host'));
    expect(unitFileValues(file, 'Network', 'Private')).toEqual(['no']);
    expect(unitFileValues(file, 'Network', 'VirtualEthernet')).toEqual(['no']);
    expect(
      plan(network('host')).direct.argv.some(
        (argument) => argument.startsWith('--network') || argument === '--private-network',
      ),
    ).toBe(false);
  });

  it('none mode is a private network without a veth: loopback only', () => {
    const file = nspawnFile(network('none'));
    expect(unitFileValues(file, 'Network', 'Private')).toEqual(['yes']);
    expect(unitFileValues(file, 'Network', 'VirtualEthernet')).toEqual(['no']);
    expect(plan(network('none')).direct.argv).toContain('--private-network');
    expect(plan(network('none')).direct.argv).not.toContain('--network-veth');
  });

  it('private mode attaches to the bridge', () => {
    expect(unitFileValues(nspawnFile(network('private')), 'Network', 'Bridge')).toEqual(['voltbr0']);
  });
});

describe('a private container gets its leased address, since nothing on the bridge answers DHCP', () => {
  it('binds a networkd file for host0 when an address is leased, and says so when none is', () => {
    const config = defaultIsolation('web');
    const leased = renderPlan(config, {
      ...target,
      containerLease: unwrap(parseContainerLease(planBridge(config.network), { address: '10.87.0.5' })),
    });
    const file = leased.files.find(
      (candidate) => candidate.path === '/var/lib/volt/containers/web/host0.network',
    );
    expect(file?.content).toEqual({
      text: expect.stringContaining('Address=10.87.0.5/16\nGateway=10.87.0.1\n'),
    });
    expect(unitFileValues(unwrap(parseUnitFile(leased.nspawnFile)), 'Files', 'BindReadOnly')).toContain(
      '/var/lib/volt/containers/web/host0.network:/etc/systemd/network/80-container-host0.network',
    );
    const unleased = plan(config).enforcement.find((entry) => entry.layer === 'network');
    expect(unleased?.detail).toMatch(/no address leased yet/);
  });
});

describe('correction 3: DNS servers reach the container resolv.conf', () => {
  it('writes resolv.conf with the servers and binds it read-only over /etc/resolv.conf on both routes', () => {
    const rendered = fromProfile({
      network: { dns: ['9.9.9.9', '2620:fe::fe'], searchDomains: ['corp.example'] },
    });
    const resolv = rendered.files.find((file) => file.path === '/var/lib/volt/containers/web/resolv.conf');
    expect(resolv?.content).toEqual({
      text: expect.stringContaining('nameserver 9.9.9.9\nnameserver 2620:fe::fe\n'),
    });
    const file = unwrap(parseUnitFile(rendered.nspawnFile));
    expect(unitFileValues(file, 'Files', 'BindReadOnly')).toContain(
      '/var/lib/volt/containers/web/resolv.conf:/etc/resolv.conf',
    );
    expect(unitFileValues(file, 'Exec', 'ResolvConf')).toEqual(['off']);
    expect(rendered.direct.argv).toContain(
      '--bind-ro=/var/lib/volt/containers/web/resolv.conf:/etc/resolv.conf',
    );
  });
});

describe('correction 4: seccomp profiles mean what they say', () => {
  it('strict restricts system calls on both routes, not only capabilities', () => {
    const rendered = fromProfile({ seccomp: 'strict', boot: false, command: ['/bin/app'] });
    const filters = unitFileValues(unwrap(parseUnitFile(rendered.nspawnFile)), 'Exec', 'SystemCallFilter');
    expect(filters.length).toBeGreaterThan(0);
    for (const filter of filters) expect(rendered.direct.argv).toContain(`--system-call-filter=${filter}`);
  });

  it('unconfined switches nspawn filter off with SYSTEMD_SECCOMP=0, never with an empty ~ list', () => {
    const rendered = fromProfile({ seccomp: 'unconfined' });
    expect(rendered.direct.environment).toEqual({
      SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: '1',
      SYSTEMD_SECCOMP: '0',
    });
    expect(rendered.direct.argv).not.toContain('--system-call-filter=~');
    expect(unitFileValues(unwrap(parseUnitFile(rendered.serviceDropIn)), 'Service', 'Environment')).toEqual([
      'SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1',
      'SYSTEMD_SECCOMP=0',
    ]);
    expect(rendered.enforcement.find((entry) => entry.layer === 'seccomp')?.status).toBe('not-enforced');
  });
});

describe('correction 5: private users with a read-only root', () => {
  it('sets an ownership mode that nspawn accepts with ReadOnly=yes', () => {
    const file = nspawnFile(isolation({ readOnlyRoot: true }));
    expect(unitFileValues(file, 'Files', 'ReadOnly')).toEqual(['yes']);
    expect(unitFileValues(file, 'Files', 'PrivateUsersOwnership')).toEqual(['auto']);
  });
});

describe('correction 6: the same isolation on both routes', () => {
  it('the direct command line is exactly the .nspawn settings, plus the properties and the command', () => {
    const rendered = fromProfile({
      readOnlyRoot: true,
      seccomp: 'strict',
      boot: false,
      command: ['/bin/app', '--port=80'],
      network: { ports: ['tcp:8080:80', 'udp:5353:53'] },
    });
    const settingsArguments = settingsToArguments(rendered.settings);
    const head = [
      'systemd-nspawn',
      '--quiet',
      '--machine=web',
      '--directory=/var/lib/machines/web',
      '--settings=no',
    ];
    const properties = rendered.properties.map(([key, value]) => `--property=${key}=${value}`);
    const command =
      unitFileValues(unwrap(parseUnitFile(rendered.nspawnFile)), 'Exec', 'Parameters')[0]?.split(' ') ?? [];
    expect(rendered.direct.argv).toEqual([...head, ...settingsArguments, ...properties, '--', ...command]);
    expect(settingsArguments).toContain('--read-only');
    expect(settingsArguments).toContain('--port=tcp:8080:80');
    expect(settingsArguments).toContain('--port=udp:5353:53');
  });
});

describe('correction 7: Landlock is never silently dropped', () => {
  it('a booting container without a workload unit reports Landlock as not enforced, with the reason', () => {
    const entry = plan(defaultIsolation('web')).enforcement.find(
      (candidate) => candidate.layer === 'landlock',
    );
    expect(entry?.status).toBe('not-enforced');
    expect(entry?.detail).toMatch(/workloadUnit/);
  });

  it('a Boot=no container runs its command under the helper, with helper and policy bound read-only', () => {
    const rendered = fromProfile({ boot: false, command: ['/usr/bin/app'] });
    const file = unwrap(parseUnitFile(rendered.nspawnFile));
    expect(unitFileValues(file, 'Exec', 'Parameters')[0]).toMatch(
      /^\/run\/volt\/volt-landlock --policy \/run\/volt\/landlock.policy -- \/usr\/bin\/app$/,
    );
    expect(unitFileValues(file, 'Files', 'BindReadOnly')).toContain(
      '/var/lib/volt/containers/web/runtime:/run/volt',
    );
    expect(rendered.enforcement.find((entry) => entry.layer === 'landlock')?.status).toBe(
      'partially-enforced',
    );
    const onAbi9 = renderPlan(rendered.config, { ...target, landlockAbi: 9 });
    expect(onAbi9.enforcement.find((entry) => entry.layer === 'landlock')?.status).toBe('enforced');
  });

  it('says what an older kernel drops: the preset asks for every right up to ABI 9', () => {
    const entry = fromProfile({ boot: false, command: ['/usr/bin/app'] }).enforcement.find(
      (e) => e.layer === 'landlock',
    );
    expect(entry?.detail).toMatch(/resolve-unix/);
  });

  it('a booting container wraps the workload unit through a drop-in kept in its state and bound into its /run, never written into the rootfs (finding 1)', () => {
    const rendered = fromProfile({ workloadUnit: 'app.service', command: ['/usr/bin/app', '--serve'] });
    expect(
      rendered.files.map((file) => file.path).filter((path) => path.startsWith('/var/lib/machines')),
    ).toEqual([]);
    const dropIn = rendered.files.find((file) => file.path.endsWith('/zz-volt-landlock.conf'));
    expect(dropIn?.path).toBe('/var/lib/volt/containers/web/zz-volt-landlock.conf');
    expect(unitFileValues(unwrap(parseUnitFile(rendered.nspawnFile)), 'Files', 'BindReadOnly')).toContain(
      '/var/lib/volt/containers/web/zz-volt-landlock.conf:/run/systemd/system/app.service.d/zz-volt-landlock.conf',
    );
    expect(rendered.direct.argv).toContain(
      '--bind-ro=/var/lib/volt/containers/web/zz-volt-landlock.conf:/run/systemd/system/app.service.d/zz-volt-landlock.conf',
    );
    const text = dropIn !== undefined && 'text' in dropIn.content ? dropIn.content.text : '';
    expect(unitFileValues(unwrap(parseUnitFile(text)), 'Service', 'ExecStart')).toEqual([
      '',
      '/run/volt/volt-landlock --policy /run/volt/landlock.policy -- /usr/bin/app --serve',
    ]);
    expect(unitFileValues(unwrap(parseUnitFile(rendered.nspawnFile)), 'Exec', 'Parameters')).toEqual([]);
  });

  it('the workload drop-in empties every command list of the unit, so no process of it runs outside the helper (finding 7)', () => {
    const rendered = fromProfile({ workloadUnit: 'app.service', command: ['/usr/bin/app'] });
    const dropIn = rendered.files.find((file) => file.path.endsWith('/zz-volt-landlock.conf'));
    const file = unwrap(
      parseUnitFile(dropIn !== undefined && 'text' in dropIn.content ? dropIn.content.text : ''),
    );
    for (const key of [
      'ExecCondition',
      'ExecStartPre',
      'ExecStartPost',
      'ExecReload',
      'ExecStop',
      'ExecStopPost',
    ])
      expect(unitFileValues(file, 'Service', key), key).toEqual(['']);
    expect(rendered.enforcement.find((entry) => entry.layer === 'landlock')?.detail).toMatch(
      /generator.*not checked/,
    );
  });

  it('a workload unit must be a service: a .socket gets a clear error, not a drop-in systemd ignores (finding 4)', () => {
    const result = parseIsolation({ name: 'web', workloadUnit: 'web.socket', command: ['/usr/bin/app'] });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect([result.error.code, result.error.path]).toEqual(['INVALID_VALUE', ['workloadUnit']]);
      expect(result.error.message).toMatch(/socket unit has no ExecStart/);
      expect(result.error.hint).toMatch(/the service the socket activates/);
    }
    expect(parseIsolation({ name: 'web', workloadUnit: 'a:b.service', command: ['/x'] }).ok).toBe(false);
  });

  it('landlock: none is reported as not enforced', () => {
    const entry = fromProfile({ landlock: 'none' }).enforcement.find(
      (candidate) => candidate.layer === 'landlock',
    );
    expect(entry).toEqual({
      layer: 'landlock',
      status: 'not-enforced',
      detail: 'no Landlock policy (landlock: none)',
    });
  });
});

describe('issue 16: options end before the command on the direct route (finding 3)', () => {
  const injected = ['--bind=/:/host', '--capability=all', '--private-users=no', '/bin/sh'];
  for (const [what, document] of [
    ['Boot=no without Landlock', { boot: false, landlock: 'none', command: injected }],
    ['Boot=yes without a workload unit', { boot: true, command: injected }],
  ] as const) {
    it(`${what}: the command follows --, and no option of it appears before`, () => {
      const { argv } = fromProfile(document).direct;
      const separator = argv.indexOf('--');
      expect(separator).toBeGreaterThan(0);
      expect(argv.slice(separator + 1)).toEqual(injected);
      expect(argv.slice(0, separator)).not.toContain('--capability=all');
      expect(argv.slice(0, separator)).not.toContain('--bind=/:/host');
    });
  }

  it('a plan without a command ends with its options', () => {
    expect(plan(defaultIsolation('web')).direct.argv).not.toContain('--');
  });
});

describe('issue 16: seccomp may not deny what the Landlock helper needs while Landlock applies (finding 8)', () => {
  for (const deny of [['landlock_create_ruleset'], ['landlock_restrict_self'], ['@sandbox'], ['prctl']]) {
    it(`refuses seccomp.deny ${deny.join(',')} with a policy to enforce`, () => {
      const result = parseIsolation({ name: 'web', boot: false, command: ['/bin/app'], seccomp: { deny } });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect([result.error.code, result.error.path]).toEqual(['CONFLICT', ['seccomp']]);
        expect(result.error.message).toMatch(/the Landlock helper needs/);
      }
    });
  }

  it('accepts the same filter when Landlock does not apply (landlock: none, or no workload to wrap)', () => {
    const deny = { deny: ['landlock_create_ruleset'] };
    expect(
      parseIsolation({ name: 'web', boot: false, command: ['/a'], landlock: 'none', seccomp: deny }).ok,
    ).toBe(true);
    expect(parseIsolation({ name: 'web', boot: true, seccomp: deny }).ok).toBe(true);
  });

  it('a strict allow list keeps the helper working', () => {
    expect(parseIsolation({ name: 'web', boot: false, command: ['/a'], seccomp: 'strict' }).ok).toBe(true);
  });
});

describe('issue 16: the container root is never a host system tree (finding 9)', () => {
  for (const rootfs of [
    '/',
    '/etc',
    '/etc/systemd/system',
    '/usr/lib/x',
    '/var',
    '/var/lib',
    '/var/lib/machines',
    '/var/lib/volt/containers/web',
    '/proc/1/root',
    '/run/x',
    '/boot',
  ]) {
    it(`refuses rootfs ${rootfs}`, () => {
      const result = parseIsolation({ name: 'web', rootfs });
      expect(result.ok).toBe(false);
      if (!result.ok) expect([result.error.code, result.error.path]).toEqual(['INVALID_PATH', ['rootfs']]);
    });
  }
  for (const rootfs of [
    '/var/lib/machines/web',
    '/srv/web',
    '/var/lib/machines/other/web',
    '/home/builder/image',
    '/etcetera/x',
  ]) {
    it(`accepts rootfs ${rootfs}`, () => {
      expect(parseIsolation({ name: 'web', rootfs }).ok).toBe(true);
    });
  }
});

describe('correction 8: unsafe input is refused before anything is rendered', () => {
  const hostile: readonly [string, Record<string, unknown>, string][] = [
    ['a name with a newline', { name: 'web\n[Exec]' }, 'INVALID_MACHINE_NAME'],
    ['a name with /', { name: 'a/b' }, 'INVALID_MACHINE_NAME'],
    ['a name with a space', { name: 'a b' }, 'INVALID_MACHINE_NAME'],
    ['a name over 64 characters', { name: 'a'.repeat(65) }, 'INVALID_MACHINE_NAME'],
    ['an environment value with a newline', { environment: { A: 'x\nBoot=no' } }, 'UNSAFE_STRING'],
    ['an environment name with =', { environment: { 'A=B': 'x' } }, 'UNSAFE_STRING'],
    ['an environment value with a space', { environment: { A: 'x y' } }, 'UNSAFE_STRING'],
    ['a rootfs with a space', { rootfs: '/var/lib/machines/my root' }, 'INVALID_PATH'],
    ['a bridge name over 15 bytes', { network: { bridge: 'a-very-long-bridge' } }, 'INVALID_INTERFACE_NAME'],
    ['a bridge name with [', { network: { bridge: 'br[0]' } }, 'INVALID_INTERFACE_NAME'],
    ['a DNS entry that is not an IP', { network: { dns: ['dns.example'] } }, 'INVALID_IP_ADDRESS'],
    [
      'a command argument with a newline',
      { boot: false, command: ['/bin/sh', 'x\n[Network]'] },
      'UNSAFE_STRING',
    ],
  ];
  for (const [what, document, code] of hostile) {
    it(`refuses ${what} with ${code}`, () => {
      expect(voltErrorOf(() => fromProfile(document)).code).toBe(code);
    });
  }
});

describe('a configuration of the wrong shape, as a JavaScript caller may pass: the errors a profile gets', () => {
  const wrong: readonly [string, Record<string, unknown>, readonly (string | number)[], string][] = [
    ['boot as a string', { boot: 'yes' }, ['boot'], 'INVALID_PROFILE'],
    ['privateUsers as a number', { privateUsers: 1 }, ['privateUsers'], 'INVALID_PROFILE'],
    ['a name that is not a string', { name: 42 }, ['name'], 'INVALID_PROFILE'],
    ['a command that is a string', { boot: false, command: '/bin/sh -c x' }, ['command'], 'INVALID_PROFILE'],
    [
      'a command argument that is a number',
      { boot: false, command: ['/bin/sleep', 5] },
      ['command', 1],
      'INVALID_PROFILE',
    ],
    ['environment as a list of pairs', { environment: [['A', 'b']] }, ['environment'], 'INVALID_PROFILE'],
    [
      'a workload unit that is not a string',
      { workloadUnit: ['x.service'] },
      ['workloadUnit'],
      'INVALID_PROFILE',
    ],
    [
      'a network field of the wrong type',
      { network: { dns: '1.1.1.1' } },
      ['network', 'dns'],
      'INVALID_PROFILE',
    ],
    ['a port forward that is null', { network: { ports: [null] } }, ['network', 'ports', 0], 'INVALID_VALUE'],
    [
      'Landlock paths that are not a list',
      { landlock: { preset: 'server', paths: '/usr' } },
      ['landlock', 'paths'],
      'INVALID_PROFILE',
    ],
    ['a typo in a key', { resources: { memroy: { max: '1G' } } }, ['resources'], 'INVALID_PROFILE'],
    [
      'a wrong shape of a limit',
      { resources: { tasks: { max: { max: 256 } } } },
      ['resources', 'tasks', 'max'],
      'INVALID_VALUE',
    ],
  ];
  for (const [what, change, path, code] of wrong) {
    it(`refuses ${what} with ${code} at its path`, () => {
      const result = parseIsolation({ name: 'web', ...change });
      expect(result.ok).toBe(false);
      if (!result.ok) expect([result.error.code, result.error.path]).toEqual([code, path]);
    });
  }

  it('refuses a value that is not an object at all', () => {
    for (const document of [null, 'web', 7, []]) expect(parseIsolation(document).ok).toBe(false);
  });
});

describe('the Landlock helper in the target', () => {
  it('is not needed by a plan that does not apply Landlock, and is refused missing by one that does', () => {
    expect(
      renderPlan(defaultIsolation('web'), { landlockAbi: 7 }).files.map((file) => file.path),
    ).not.toContain('/var/lib/volt/containers/web/runtime/volt-landlock');
    const enforcing = isolation({ boot: false, command: ['/usr/bin/app'] });
    expect(() => renderPlan(enforcing, { landlockAbi: 7 })).toThrow(
      expect.objectContaining({ code: 'INVALID_VALUE', path: ['landlockHelper'] }),
    );
    expect(renderPlan(enforcing, target).files.map((file) => file.path)).toContain(
      '/var/lib/volt/containers/web/runtime/volt-landlock',
    );
  });
});

describe('settings the composer does not know', () => {
  it('are refused on both routes (UNSUPPORTED as an option, UNSAFE_STRING in the file), also names an object inherits', () => {
    for (const setting of [
      { section: 'Exec', key: 'constructor', value: 'x' },
      { section: 'Exec', key: 'NoSuchKey', value: 'x' },
      { section: 'Service', key: 'Boot', value: 'yes' },
      { section: '__proto__', key: 'Boot', value: 'yes' },
      { section: 'Network', key: 'Boot', value: 'yes' },
    ] as unknown as NspawnSetting[]) {
      expect(() => settingsToArguments([setting])).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
      if (setting.key !== 'constructor' && setting.key !== 'NoSuchKey' && setting.section !== 'Network')
        expect(() => renderNspawnFile([setting])).toThrow(
          expect.objectContaining({
            code: 'UNSAFE_STRING',
            message: expect.stringContaining('Exec, Files, Network'),
          }),
        );
    }
  });

  it('no key is in two sections, so a key names its option and its section', () => {
    const keys = Object.values(NSPAWN_SETTING_ARGUMENTS).flatMap((table) => Object.keys(table));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
