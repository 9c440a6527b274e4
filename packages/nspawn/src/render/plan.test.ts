import {
  parseNspawnSettingsWords,
  parseUnitFile,
  unitFileValues,
  unwrap,
  type ValidIsolation,
} from '@volt/core';
import { parseContainerLease, planBridge } from '@volt/netns';
import { describe, expect, it } from 'vitest';
import { voltErrorOf } from '../../test/volt-error.js';
import { composeIsolation, defaultIsolation, parseIsolation } from '../model/isolation.js';
import { containerPaths, installableFiles } from '../model/paths.js';
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
    const command = unwrap(
      parseNspawnSettingsWords(
        unitFileValues(unwrap(parseUnitFile(rendered.nspawnFile)), 'Exec', 'Parameters')[0] ?? '',
      ),
    );
    // `--` ends nspawn's options: no argument of the command can be read as one (issue 16, finding 3).
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
      /^\/run\/volt\/volt-landlock --policy \/run\/volt\/landlock.policy --init -- \/usr\/bin\/app$/,
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
      // `:` turns off systemd's `$` expansion, so the workload's arguments reach it as written.
      ':/run/volt/volt-landlock --policy /run/volt/landlock.policy -- /usr/bin/app --serve',
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

describe('values a user writes reach the container as written, quoted the way each route reads them', () => {
  it('spaces, quotes, % and $ in the command and the environment, on both routes', () => {
    const command = ['/bin/sh', '-c', 'echo "hi $USER" 100% it\'s'];
    const rendered = fromProfile({
      boot: false,
      landlock: 'none',
      command,
      environment: { GREETING: 'hello world', JAVA_OPTS: '-Xmx1g -Dx=y', PCT: 'a%b' },
      rootfs: '/var/lib/machines/my root',
    });
    const file = unwrap(parseUnitFile(rendered.nspawnFile));
    // Boot=no: the helper is the container's PID 1, and the command follows its `--`.
    const parameters = unwrap(parseNspawnSettingsWords(unitFileValues(file, 'Exec', 'Parameters')[0] ?? ''));
    expect(parameters.slice(-4)).toEqual(['--', ...command]);
    const environment = unitFileValues(file, 'Exec', 'Environment').flatMap((value) =>
      unwrap(parseNspawnSettingsWords(value)),
    );
    expect(environment).toContain('GREETING=hello world');
    expect(environment).toContain('JAVA_OPTS=-Xmx1g -Dx=y');
    expect(rendered.direct.argv).toContain('--setenv=GREETING=hello world');
    expect(rendered.direct.argv).toContain('--directory=/var/lib/machines/my root');
    expect(rendered.direct.argv.slice(-4)).toEqual(['--', ...command]);
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
      // Boot=no runs the command under the helper (its PID 1), which has its own `--` before the command.
      expect(argv.slice(-injected.length)).toEqual(injected);
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
      const result = parseIsolation({
        name: 'web',
        boot: false,
        command: ['/bin/app'],
        landlock: 'server',
        seccomp: { deny },
      });
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

  it('the default Landlock policy, which the profile did not write, gives way to the filter, and says so (issue 18)', () => {
    const composed = composeIsolation([
      {
        source: { kind: 'profile' },
        document: { name: 'web', boot: false, command: ['/a'], seccomp: { deny: ['@sandbox'] } },
      },
    ]);
    expect(composed.ok).toBe(true);
    if (!composed.ok) return;
    expect(composed.value.isolation.landlock).toBeNull();
    expect(composed.value.merge.yielded.map((entry) => [entry.path, entry.value])).toEqual([
      [['landlock'], 'server'],
    ]);
    expect(renderPlan(composed.value.isolation, target).enforcement[0]).toMatchObject({
      layer: 'landlock',
      status: 'not-enforced',
    });
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

describe('every file a plan installs is one a manifest or journal may name', () => {
  for (const boot of [false, true])
    for (const readOnlyRoot of [false, true])
      for (const landlock of ['server', 'none'] as const)
        for (const mode of ['private', 'none', 'host'] as const) {
          it(`boot ${boot}, readOnlyRoot ${readOnlyRoot}, landlock ${landlock}, network ${mode}`, () => {
            const document = { boot, readOnlyRoot, landlock, network: { mode }, command: ['/bin/app'] };
            const config = isolation(document);
            const lease = parseContainerLease(planBridge(config.network), { address: '10.87.0.5' });
            const rendered = renderPlan(config, {
              ...target,
              ...(mode === 'private' ? { containerLease: unwrap(lease) } : {}),
            });
            const allowed = installableFiles(containerPaths('web'));
            for (const file of rendered.files) expect(allowed).toContain(file.path);
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
  it('is not needed by a booting plan without a workload unit, and is refused missing by every Boot=no plan', () => {
    expect(
      renderPlan(defaultIsolation('web'), { landlockAbi: 7 }).files.map((file) => file.path),
    ).not.toContain('/var/lib/volt/containers/web/runtime/volt-landlock');
    for (const landlock of ['server', 'none']) {
      const bootNo = isolation({ boot: false, command: ['/usr/bin/app'], landlock });
      expect(() => renderPlan(bootNo, { landlockAbi: 7 })).toThrow(
        expect.objectContaining({ code: 'INVALID_VALUE', path: ['landlockHelper'] }),
      );
      expect(renderPlan(bootNo, target).files.map((file) => file.path)).toContain(
        '/var/lib/volt/containers/web/runtime/volt-landlock',
      );
    }
  });
});

describe('issue 17: Landlock is decided where the workload runs', () => {
  const hard = (abi: number) =>
    renderPlan(
      isolation({
        boot: false,
        command: ['/usr/bin/app'],
        landlock: {
          preset: 'server',
          handledFs: ['read-file', 'read-dir', 'write-file', 'truncate'],
          compatibility: 'hard-requirement',
        },
      }),
      { ...target, landlockAbi: abi },
    );

  it('the files are the same for every kernel: the policy file carries the policy as asked', () => {
    const bytesOf = (rendered: ReturnType<typeof renderPlan>) =>
      rendered.files.map((file) => ('bytes' in file.content ? [...file.content.bytes] : file.content));
    expect(bytesOf(hard(2))).toEqual(bytesOf(hard(7)));
    expect(hard(2).nspawnFile).toBe(hard(7).nspawnFile);
  });

  it('a hard requirement an older kernel cannot meet is reported, not refused: the helper refuses it there', () => {
    expect(hard(7).enforcement.find((entry) => entry.layer === 'landlock')).toMatchObject({
      status: 'enforced',
      detail: expect.stringMatching(/^every rule is enforced on a kernel with ABI 7 \(the helper decides/),
    });
    expect(hard(2).enforcement.find((entry) => entry.layer === 'landlock')).toEqual({
      layer: 'landlock',
      status: 'not-enforced',
      detail:
        'on a kernel with ABI 2: this kernel cannot enforce the whole policy (hard requirement): fs:truncate: needs Landlock ABI 3 (Linux 6.2); this kernel has ABI 2; the helper refuses to start the workload on such a kernel',
    });
  });
});

describe('issue 17: the first process of a Boot=no container', () => {
  it('is the helper as init, also without Landlock, and nspawn stops it with SIGTERM on both routes', () => {
    const rendered = fromProfile({ boot: false, command: ['/usr/bin/app', '--serve'], landlock: 'none' });
    const file = unwrap(parseUnitFile(rendered.nspawnFile));
    expect(unitFileValues(file, 'Exec', 'Parameters')).toEqual([
      '/run/volt/volt-landlock --init -- /usr/bin/app --serve',
    ]);
    expect(unitFileValues(file, 'Exec', 'KillSignal')).toEqual(['SIGTERM']);
    expect(rendered.direct.argv).toContain('--kill-signal=SIGTERM');
    expect(rendered.direct.argv.slice(-5)).toEqual([
      '/run/volt/volt-landlock',
      '--init',
      '--',
      '/usr/bin/app',
      '--serve',
    ]);
    expect(rendered.files.map((item) => item.path)).not.toContain(
      '/var/lib/volt/containers/web/landlock.json',
    );
  });

  it("a booting container keeps nspawn's own signal and no helper of its own as PID 1", () => {
    const booting = unwrap(
      parseUnitFile(fromProfile({ workloadUnit: 'app.service', command: ['/usr/bin/app'] }).nspawnFile),
    );
    expect(unitFileValues(booting, 'Exec', 'KillSignal')).toEqual([]);
  });

  it('gets its leased address from the helper on a private network (IPv4 and IPv6), not from a networkd file', () => {
    const config = isolation({
      boot: false,
      command: ['/usr/bin/app'],
      network: { mode: 'private', subnet: '10.213.7.0/24', subnet6: 'fd42:7::/64' },
    });
    const rendered = renderPlan(config, {
      ...target,
      containerLease: unwrap(
        parseContainerLease(planBridge(config.network), { address: '10.213.7.2', address6: 'fd42:7::2' }),
      ),
    });
    const file = unwrap(parseUnitFile(rendered.nspawnFile));
    expect(unitFileValues(file, 'Exec', 'Parameters')[0]).toBe(
      '/run/volt/volt-landlock --policy /run/volt/landlock.policy --address 10.213.7.2/24 --address fd42:7::2/64 --gateway 10.213.7.1 --gateway fd42:7::1 --init -- /usr/bin/app',
    );
    // still installed: the lease and the bridge's subnet are read back from it
    expect(rendered.files.map((item) => item.path)).toContain('/var/lib/volt/containers/web/host0.network');
    expect(unitFileValues(file, 'Files', 'BindReadOnly').join(' ')).not.toMatch(/host0\.network/);
    expect(rendered.enforcement.find((entry) => entry.layer === 'network')?.detail).toBe(
      'mode private on voltbr0: the helper gives host0 10.213.7.2/24 fd42:7::2/64 via 10.213.7.1, fd42:7::1 before the command starts',
    );
  });

  it('on a read-only root, the helper binds resolv.conf (nspawn could not create a missing mount point)', () => {
    const rendered = fromProfile({
      boot: false,
      command: ['/usr/bin/app'],
      readOnlyRoot: true,
      network: { dns: ['9.9.9.9'] },
    });
    const file = unwrap(parseUnitFile(rendered.nspawnFile));
    expect(unitFileValues(file, 'Files', 'BindReadOnly')).toEqual([
      '/var/lib/volt/containers/web/runtime:/run/volt',
    ]);
    expect(unitFileValues(file, 'Exec', 'ResolvConf')).toEqual(['off']);
    expect(unitFileValues(file, 'Exec', 'Parameters')[0]).toMatch(
      / --resolv-conf \/run\/volt\/resolv\.conf --init -- /,
    );
    const copies = rendered.files.filter((item) => item.path.endsWith('/resolv.conf'));
    expect(copies.map((item) => item.path)).toEqual([
      '/var/lib/volt/containers/web/resolv.conf',
      '/var/lib/volt/containers/web/runtime/resolv.conf',
    ]);
    expect(copies[1]?.content).toEqual(copies[0]?.content);
    expect(rendered.enforcement.find((entry) => entry.layer === 'root')?.detail).toMatch(/the helper binds/);
    // a booting read-only root keeps nspawn's bind (it needs /etc/resolv.conf in the image)
    const booting = unwrap(parseUnitFile(fromProfile({ readOnlyRoot: true }).nspawnFile));
    expect(unitFileValues(booting, 'Files', 'BindReadOnly')).toContain(
      '/var/lib/volt/containers/web/resolv.conf:/etc/resolv.conf',
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
