import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatVoltError, VoltError } from '../errors.js';
import {
  loadProfileDocument,
  loadProfileSource,
  PROFILE_LIMITS,
  type Profile,
  parseProfile,
  parseProfileExtends,
  parseProfileText,
  profileJsonSchema,
  safeParseProfile,
} from './profile.js';

const FULL_YAML = `# a complete profile
name: web-1
rootfs: /var/lib/machines//web-1/
boot: false
command: [/usr/bin/python3, -m, http.server, "8080"]
workloadUnit: app.service
environment:
  APP_MODE: production
  JAVA_OPTS: -Xmx1g
landlock:
  preset: server
  handledFs: [read-file, write-file]
  handledNet: [bind-tcp]
  paths:
    - path: /srv/data//
      access: [read-file, read-dir]
    - path: /opt/optional
      access: [execute]
      optional: true
  ports:
    - port: 8080
      access: [bind-tcp]
  scopes: [signal]
  logFlags: [new-exec-on]
  threadSync: true
  compatibility: best-effort
seccomp:
  profile: default
  allow: ["@mount", keyctl]
  deny: [kexec_load]
  action: { errno: EPERM }
resources:
  delegate: true
  memory: { max: 2G, high: 1.5G, low: 0, min: 50%, swapMax: infinity, zswapMax: 2G 512M }
  cpu:
    weight: idle
    startupWeight: 200
    quota: 150%
    quotaPeriod: 100ms
    allowedCpus: 0-3,,5
    allowedMemoryNodes: [0]
  io:
    weight: 500
    devices:
      - device: /dev/sda
        weight: 100
        readBandwidthMax: 10M
        writeBandwidthMax: 1.5K
        readIopsMax: 1000
        writeIopsMax: infinity
  tasks: { max: 512 }
network:
  mode: private
  bridge: voltbr0
  subnet: 10.87.0.0/16
  subnet6: FD42:0::/64
  ports: ["8080", "udp:5353:53", { host: 8443, container: 443 }, { protocol: udp, host: 6000, container: "6001" }]
  dns: [1.1.1.1, "2001:4860:4860:0:0:0:0:8888"]
  searchDomains: [Corp.Example.com]
privateUsers: true
readOnlyRoot: true
`;

const EXPECTED: Profile = {
  name: 'web-1',
  rootfs: '/var/lib/machines/web-1',
  boot: false,
  command: ['/usr/bin/python3', '-m', 'http.server', '8080'],
  workloadUnit: 'app.service',
  environment: [
    ['APP_MODE', 'production'],
    ['JAVA_OPTS', '-Xmx1g'],
  ],
  landlock: {
    preset: 'server',
    handledFs: ['read-file', 'write-file'],
    handledNet: ['bind-tcp'],
    paths: [
      { path: '/srv/data', access: ['read-file', 'read-dir'], optional: false },
      { path: '/opt/optional', access: ['execute'], optional: true },
    ],
    ports: [{ port: 8080, access: ['bind-tcp'] }],
    scopes: ['signal'],
    logFlags: ['new-exec-on'],
    threadSync: true,
    compatibility: 'best-effort',
  },
  seccomp: {
    profile: 'default',
    allow: ['@mount', 'keyctl'],
    deny: ['kexec_load'],
    action: { kind: 'errno', errno: 1 },
  },
  resources: {
    delegate: true,
    memory: {
      max: { kind: 'bytes', bytes: 2 * 1024 ** 3 },
      high: { kind: 'bytes', bytes: 1610612736 },
      low: { kind: 'bytes', bytes: 0 },
      min: { kind: 'percent', permyriad: 5000 },
      swapMax: { kind: 'infinity' },
      zswapMax: { kind: 'bytes', bytes: 2684354560 },
    },
    cpu: {
      weight: 'idle',
      startupWeight: 200,
      quota: 15000,
      quotaPeriod: 100_000,
      allowedCpus: [0, 1, 2, 3, 5],
      allowedMemoryNodes: [0],
    },
    io: {
      weight: 500,
      devices: [
        {
          device: '/dev/sda',
          weight: 100,
          readBandwidthMax: { kind: 'rate', perSecond: 10_000_000 },
          writeBandwidthMax: { kind: 'rate', perSecond: 1500 },
          readIopsMax: { kind: 'rate', perSecond: 1000 },
          writeIopsMax: { kind: 'infinity' },
        },
      ],
    },
    tasks: { max: { kind: 'count', count: 512 } },
  },
  network: {
    mode: 'private',
    bridge: 'voltbr0',
    subnet: '10.87.0.0/16',
    subnet6: 'fd42::/64',
    ports: [
      { protocol: 'tcp', hostPort: 8080, containerPort: 8080 },
      { protocol: 'udp', hostPort: 5353, containerPort: 53 },
      { protocol: 'tcp', hostPort: 8443, containerPort: 443 },
      { protocol: 'udp', hostPort: 6000, containerPort: 6001 },
    ],
    dns: ['1.1.1.1', '2001:4860:4860::8888'],
    searchDomains: ['corp.example.com'],
  },
  privateUsers: true,
  readOnlyRoot: true,
};

/** The problems of a document, as `CODE path` strings. */
function problems(input: unknown): string[] {
  const result = safeParseProfile(input);
  if (result.ok) return [];
  return result.issues.map((issue) => `${issue.code} ${JSON.stringify(issue.path)}`);
}

function firstIssue(input: unknown): VoltError {
  const result = safeParseProfile(input);
  if (result.ok) throw new Error('expected the profile to be rejected');
  return result.error;
}

describe('a full profile', () => {
  it('parses from YAML to the typed values', async () => {
    expect(await parseProfileText(FULL_YAML)).toEqual(EXPECTED);
  });

  it('parses from JSON text to the same values', async () => {
    const document = await loadProfileDocument(FULL_YAML);
    const json = JSON.stringify(document, null, 2);
    expect(await parseProfileText(json, 'web.json')).toEqual(EXPECTED);
    expect(parseProfile(JSON.parse(json))).toEqual(EXPECTED);
  });

  it('accepts the shorthand forms and an empty document', async () => {
    expect(parseProfile({ landlock: 'none' }).landlock).toBeNull();
    expect(parseProfile({ landlock: 'desktop' }).landlock).toEqual({ preset: 'desktop' });
    expect(parseProfile({ seccomp: 'strict' }).seccomp).toEqual({ profile: 'strict' });
    expect(parseProfile({ seccomp: { action: 'kill-process' } }).seccomp).toEqual({
      action: { kind: 'kill-process' },
    });
    expect(parseProfile({ seccomp: { action: 'log' } }).seccomp).toEqual({ action: { kind: 'log' } });
    expect(parseProfile({ seccomp: { action: { errno: 38 } } }).seccomp).toEqual({
      action: { kind: 'errno', errno: 38 },
    });
    expect(parseProfile({})).toEqual({});
    expect(await parseProfileText('')).toEqual({});
    expect(await parseProfileText('# only a comment\n')).toEqual({});
  });

  it('takes command arguments, environment values and paths as written: spaces, quotes, %, $ and Unicode', () => {
    const command = ['/bin/sh', '-c', 'echo "hello world" > /tmp/100%.log; echo $HOME', '', ' padded '];
    const profile = parseProfile({
      rootfs: '/srv/My Machines//wéb 1/',
      command,
      environment: { GREETING: 'hello world', JAVA_OPTS: '-Xmx1g -Dx=y', PCT: 'a%b', EMPTY: '', Q: `"'\\\t` },
      landlock: { paths: [{ path: '/data/My Files: 100%', access: ['read-file'] }] },
    });
    expect(profile.rootfs).toBe('/srv/My Machines/wéb 1');
    expect(profile.command).toEqual(command);
    expect(profile.environment).toEqual([
      ['GREETING', 'hello world'],
      ['JAVA_OPTS', '-Xmx1g -Dx=y'],
      ['PCT', 'a%b'],
      ['EMPTY', ''],
      ['Q', `"'\\\t`],
    ]);
    expect(profile.landlock?.paths?.[0]?.path).toBe('/data/My Files: 100%');
  });

  it('reads byte counts given as JSON numbers, and the systemd forms of each limit', () => {
    const profile = parseProfile({
      resources: {
        memory: { max: 1073741824, low: 0, high: '50%' },
        cpu: { weight: 10000, quota: '1000%', allowedCpus: [3, 1, 2] },
        tasks: { max: '500‰' },
      },
    });
    expect(profile.resources?.memory?.max).toEqual({ kind: 'bytes', bytes: 1073741824 });
    expect(profile.resources?.memory?.low).toEqual({ kind: 'bytes', bytes: 0 });
    expect(profile.resources?.memory?.high).toEqual({ kind: 'percent', permyriad: 5000 });
    expect(profile.resources?.cpu?.weight).toBe(10000);
    expect(profile.resources?.cpu?.quota).toBe(100_000);
    expect(profile.resources?.cpu?.allowedCpus).toEqual([1, 2, 3]);
    expect(profile.resources?.tasks?.max).toEqual({ kind: 'percent', permyriad: 5000 });
  });
});

describe('problems get their stable code and the exact input path', () => {
  it.each([
    [{ resources: { memory: { max: '2GB' } } }, 'INVALID_BYTE_SIZE', ['resources', 'memory', 'max']],
    [{ resources: { memory: { max: '0' } } }, 'INVALID_BYTE_SIZE', ['resources', 'memory', 'max']],
    [{ resources: { memory: { max: '0%' } } }, 'INVALID_PERCENTAGE', ['resources', 'memory', 'max']],
    [{ resources: { memory: { high: 0 } } }, 'INVALID_BYTE_SIZE', ['resources', 'memory', 'high']],
    [{ resources: { memory: { low: -1 } } }, 'INVALID_BYTE_SIZE', ['resources', 'memory', 'low']],
    [{ resources: { memory: { swapMax: '2Gi' } } }, 'INVALID_BYTE_SIZE', ['resources', 'memory', 'swapMax']],
    [{ resources: { cpu: { weight: 0 } } }, 'INVALID_WEIGHT', ['resources', 'cpu', 'weight']],
    [{ resources: { cpu: { weight: '10001' } } }, 'INVALID_WEIGHT', ['resources', 'cpu', 'weight']],
    [
      { resources: { cpu: { startupWeight: 'Idle' } } },
      'INVALID_WEIGHT',
      ['resources', 'cpu', 'startupWeight'],
    ],
    [{ resources: { cpu: { quota: '0%' } } }, 'INVALID_PERCENTAGE', ['resources', 'cpu', 'quota']],
    [{ resources: { cpu: { quota: '50' } } }, 'INVALID_PERCENTAGE', ['resources', 'cpu', 'quota']],
    [{ resources: { cpu: { quotaPeriod: '5ns' } } }, 'INVALID_DURATION', ['resources', 'cpu', 'quotaPeriod']],
    [{ resources: { cpu: { allowedCpus: '3-1' } } }, 'INVALID_CPU_LIST', ['resources', 'cpu', 'allowedCpus']],
    [{ resources: { cpu: { allowedCpus: [-1] } } }, 'INVALID_VALUE', ['resources', 'cpu', 'allowedCpus']],
    [
      { resources: { cpu: { allowedMemoryNodes: 'a' } } },
      'INVALID_CPU_LIST',
      ['resources', 'cpu', 'allowedMemoryNodes'],
    ],
    [{ resources: { io: { weight: 0 } } }, 'INVALID_WEIGHT', ['resources', 'io', 'weight']],
    [
      { resources: { io: { devices: [{ device: '/dev/sda', readBandwidthMax: '0' }] } } },
      'INVALID_VALUE',
      ['resources', 'io', 'devices', 0, 'readBandwidthMax'],
    ],
    [
      { resources: { io: { devices: [{ device: 'sda' }] } } },
      'INVALID_PATH',
      ['resources', 'io', 'devices', 0, 'device'],
    ],
    [{ resources: { tasks: { max: '0' } } }, 'INVALID_NUMBER', ['resources', 'tasks', 'max']],
    [{ resources: { tasks: { max: 4194305 } } }, 'INVALID_NUMBER', ['resources', 'tasks', 'max']],
    [{ resources: { tasks: { max: '101%' } } }, 'INVALID_PERCENTAGE', ['resources', 'tasks', 'max']],
    [
      { network: { ports: ['8080', { host: 70000, container: 80 }] } },
      'INVALID_PORT',
      ['network', 'ports', 1, 'host'],
    ],
    [
      { network: { ports: [{ host: 80, container: 0 }] } },
      'INVALID_PORT',
      ['network', 'ports', 0, 'container'],
    ],
    [{ network: { ports: ['tcp:0:80'] } }, 'INVALID_PORT', ['network', 'ports', 0]],
    [{ network: { ports: ['sctp:80'] } }, 'INVALID_PORT', ['network', 'ports', 0]],
    [
      { network: { ports: [{ protocol: 'sctp', host: 80, container: 80 }] } },
      'INVALID_VALUE',
      ['network', 'ports', 0, 'protocol'],
    ],
    [{ network: { mode: 'bridge' } }, 'INVALID_VALUE', ['network', 'mode']],
    [{ network: { bridge: 'a-very-long-bridge' } }, 'INVALID_INTERFACE_NAME', ['network', 'bridge']],
    [{ network: { subnet: '10.87.0.1/16' } }, 'INVALID_SUBNET', ['network', 'subnet']],
    [{ network: { subnet: 'fd42::/64' } }, 'INVALID_SUBNET', ['network', 'subnet']],
    [{ network: { subnet6: '10.87.0.0/16' } }, 'INVALID_SUBNET', ['network', 'subnet6']],
    [{ network: { dns: ['1.1.1.1', 'dns.example'] } }, 'INVALID_IP_ADDRESS', ['network', 'dns', 1]],
    [{ network: { searchDomains: ['bad domain'] } }, 'INVALID_VALUE', ['network', 'searchDomains', 0]],
    [{ name: 'a/b' }, 'INVALID_MACHINE_NAME', ['name']],
    [{ name: 'web 1' }, 'INVALID_MACHINE_NAME', ['name']],
    [{ name: 'web\n[Exec]' }, 'INVALID_MACHINE_NAME', ['name']],
    [{ name: 'x'.repeat(65) }, 'INVALID_MACHINE_NAME', ['name']],
    [{ name: 7 }, 'INVALID_PROFILE', ['name']],
    [{ rootfs: 'relative' }, 'INVALID_PATH', ['rootfs']],
    [{ rootfs: '/a/../b' }, 'INVALID_PATH', ['rootfs']],
    [{ boot: 'yes' }, 'INVALID_PROFILE', ['boot']],
    [{ command: [] }, 'INVALID_VALUE', ['command']],
    [{ command: ['/bin/sh', '-c', 'echo\nrm'] }, 'UNSAFE_STRING', ['command', 2]],
    [{ command: ['/bin/sh', 7] }, 'INVALID_PROFILE', ['command', 1]],
    [{ workloadUnit: 'a b.service' }, 'INVALID_VALUE', ['workloadUnit']],
    [{ environment: { 'A=B': 'x' } }, 'UNSAFE_STRING', ['environment', 'A=B']],
    [{ environment: { OK: 'a\rb' } }, 'UNSAFE_STRING', ['environment', 'OK']],
    [{ environment: { OK: 'a\u0000' } }, 'UNSAFE_STRING', ['environment', 'OK']],
    [{ rootfs: '/srv/a\nb' }, 'INVALID_PATH', ['rootfs']],
    [
      { resources: { io: { devices: [{ device: '/dev/my disk', weight: 5 }] } } },
      'INVALID_PATH',
      ['resources', 'io', 'devices', 0, 'device'],
    ],
    [{ environment: { OK: 1 } }, 'INVALID_PROFILE', ['environment', 'OK']],
    [{ landlock: 'strict' }, 'INVALID_VALUE', ['landlock']],
    [
      { landlock: { paths: [{ path: 'rel', access: ['read-file'] }] } },
      'INVALID_PATH',
      ['landlock', 'paths', 0, 'path'],
    ],
    [
      { landlock: { paths: [{ path: '/a', access: ['read'] }] } },
      'INVALID_VALUE',
      ['landlock', 'paths', 0, 'access', 0],
    ],
    [
      { landlock: { ports: [{ port: 65536, access: ['bind-tcp'] }] } },
      'INVALID_VALUE',
      ['landlock', 'ports', 0, 'port'],
    ],
    [
      { landlock: { ports: [{ port: 80, access: [] }] } },
      'INVALID_VALUE',
      ['landlock', 'ports', 0, 'access'],
    ],
    [{ landlock: { compatibility: 'maybe' } }, 'INVALID_VALUE', ['landlock', 'compatibility']],
    [{ seccomp: 'bogus' }, 'INVALID_VALUE', ['seccomp']],
    [{ seccomp: { allow: ['Mount!'] } }, 'INVALID_VALUE', ['seccomp', 'allow', 0]],
    [{ seccomp: { action: { errno: 'EFOO' } } }, 'INVALID_VALUE', ['seccomp', 'action', 'errno']],
    [{ seccomp: { action: 'trap' } }, 'INVALID_VALUE', ['seccomp', 'action']],
    [[], 'INVALID_PROFILE', []],
    [null, 'INVALID_PROFILE', []],
    ['name: web', 'INVALID_PROFILE', []],
  ] as const)('%j → %s at %j', (input, code, path) => {
    const error = firstIssue(input);
    expect({ code: error.code, path: error.path }).toEqual({ code, path });
    expect(error.message.length).toBeGreaterThan(10);
  });

  it('every message echoes the value and says what is accepted, for parser, enum, type and union problems alike', () => {
    expect(firstIssue({ network: { mode: 'bridge' } }).message).toBe(
      '"bridge" is not accepted; accepted: private, host, none',
    );
    expect(firstIssue({ boot: 'yes' }).message).toBe('"yes" is not true or false; accepted: true or false');
    expect(firstIssue({ landlock: { ports: [{ port: 70000, access: ['bind-tcp'] }] } }).message).toBe(
      '70000 is too large; accepted: at most 65535',
    );
    expect(firstIssue({ resources: { memory: { max: '2GB' } } }).message).toContain('accepted:');
    expect(firstIssue({ landlock: 'strict' }).message).toBe(
      '"strict" is not accepted; accepted: "none", "server", "desktop", an object',
    );
    expect(firstIssue({ seccomp: { action: 'trap' } }).message).toBe(
      '"trap" is not accepted; accepted: "kill-process", "log", an object',
    );
    expect(
      formatVoltError(firstIssue({ network: { ports: ['8080', { host: 70000, container: 80 }] } })),
    ).toBe(
      'INVALID_PORT at network.ports[1].host: 70000 is not a port; accepted: a whole decimal number from 1 to 65535, without leading zeros',
    );
  });

  it('reports unknown keys at the object that holds them, with a hint', () => {
    expect(problems({ nmae: 'x' })).toEqual(['INVALID_PROFILE []']);
    const nested = firstIssue({ resources: { memory: { maxx: '1G' } } });
    expect(nested.path).toEqual(['resources', 'memory']);
    expect(nested.message).toBe('unknown key(s) "maxx"');
    expect(nested.hint).toContain('profile.schema.json');
    for (const document of [
      { network: { ports: [{ host: 80, container: 80, proto: 'tcp' }] } },
      { landlock: { paths: [{ path: '/a', access: [], recursive: true }] } },
      { seccomp: { action: { errno: 1, log: true } } },
      { resources: { io: { devices: [{ device: '/dev/sda', iops: 1 }] } } },
    ]) {
      expect(problems(document)).toHaveLength(1);
      expect(firstIssue(document).message).toMatch(/^unknown key\(s\) /);
    }
  });

  it('reports every problem at once, each with its own code and path', () => {
    const result = safeParseProfile({
      name: 'bad name',
      extra: true,
      resources: { memory: { max: '2GB', high: '1.5G' }, cpu: { weight: 0, allowedCpus: '3-1' } },
      network: { ports: ['80', { host: 70000, container: 80 }], dns: ['nope'] },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.every((issue) => VoltError.isInstance(issue))).toBe(true);
    expect(result.error).toBe(result.issues[0]);
    expect(result.issues.map((issue) => `${issue.code} ${JSON.stringify(issue.path)}`).sort()).toEqual(
      [
        'INVALID_BYTE_SIZE ["resources","memory","max"]',
        'INVALID_CPU_LIST ["resources","cpu","allowedCpus"]',
        'INVALID_IP_ADDRESS ["network","dns",0]',
        'INVALID_MACHINE_NAME ["name"]',
        'INVALID_PORT ["network","ports",1,"host"]',
        'INVALID_PROFILE []',
        'INVALID_WEIGHT ["resources","cpu","weight"]',
      ].sort(),
    );
  });

  it('parseProfile throws the first problem as a VoltError', () => {
    try {
      parseProfile({ resources: { memory: { max: '2GB' } } });
      expect.unreachable();
    } catch (error) {
      expect(VoltError.isInstance(error)).toBe(true);
      expect((error as VoltError).code).toBe('INVALID_BYTE_SIZE');
      expect((error as VoltError).path).toEqual(['resources', 'memory', 'max']);
    }
  });

  it('never throws on arbitrary documents; it returns VoltErrors with paths into the input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            name: fc.string(),
            resources: fc.record({ memory: fc.record({ max: fc.oneof(fc.string(), fc.integer()) }) }),
            network: fc.record({ ports: fc.array(fc.oneof(fc.string(), fc.anything())) }),
          }),
        ),
        (document) => {
          const result = safeParseProfile(document);
          if (result.ok) return;
          for (const issue of result.issues) {
            expect(VoltError.isInstance(issue)).toBe(true);
            expect(issue.category).toBe('config');
            expect(issue.path.every((part) => typeof part === 'string' || typeof part === 'number')).toBe(
              true,
            );
          }
        },
      ),
    );
  });
});

describe('extends (the form only: @volt/nspawn resolves the names)', () => {
  it('reads one entry or a list, always as a list, and keeps it in the parsed profile', () => {
    expect(parseProfileExtends('strict-app')).toEqual({ ok: true, value: ['strict-app'] });
    expect(parseProfileExtends(['./base.yaml', 'server@1'])).toEqual({
      ok: true,
      value: ['./base.yaml', 'server@1'],
    });
    expect(parseProfile({ extends: './a b.yaml' }).extends).toEqual(['./a b.yaml']);
  });

  it('refuses an empty entry, an empty list, a line break, a non-string and too many entries, at the path', () => {
    const refused: readonly (readonly [unknown, string, readonly (string | number)[]])[] = [
      ['', 'INVALID_VALUE', ['extends']],
      [[], 'INVALID_VALUE', ['extends']],
      [['./a\nb.yaml'], 'UNSAFE_STRING', ['extends', 0]],
      [[7], 'INVALID_PROFILE', ['extends', 0]],
      [
        Array.from({ length: PROFILE_LIMITS.extends + 1 }, (_, index) => `./p${index}.yaml`),
        'INVALID_VALUE',
        ['extends'],
      ],
    ];
    for (const [input, code, path] of refused) {
      const result = parseProfileExtends(input);
      expect(result.ok ? undefined : [result.error.code, result.error.path]).toEqual([code, path]);
    }
  });
});

describe('profile text', () => {
  it('YAML duplicate keys are a PARSE_ERROR', async () => {
    await expect(parseProfileText('name: a\nname: b\n', 'dup.yaml')).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: expect.stringMatching(/^dup\.yaml is not valid YAML or JSON: /),
    });
    await expect(parseProfileText('resources:\n  memory:\n    max: 1G\n    max: 2G\n')).rejects.toMatchObject(
      {
        code: 'PARSE_ERROR',
      },
    );
    await expect(parseProfileText('{"name": "a", "name": "b"}')).rejects.toMatchObject({
      code: 'PARSE_ERROR',
    });
  });

  it('broken YAML and JSON are a PARSE_ERROR with one line of explanation and a hint', async () => {
    for (const text of ['name: [web', '{"name": "web",', 'a: b: c', '\tname: web']) {
      const error = await parseProfileText(text).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(VoltError.isInstance(error)).toBe(true);
      expect((error as VoltError).code).toBe('PARSE_ERROR');
      expect((error as VoltError).message).not.toContain('\n');
      expect((error as VoltError).hint).toBeDefined();
    }
  });

  it('an alias bomb is refused', async () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    await expect(loadProfileDocument(bomb)).rejects.toMatchObject({ code: 'PARSE_ERROR' });
  });

  it('keeps where each value was written: a scalar at its start, a map or list at its key, a missing key at its holder', async () => {
    const text = [
      'name: web # a comment',
      'resources:',
      '  memory: { max: 2GB }',
      '  tasks:',
      '    max: 64',
      'command:',
      '  - /bin/app',
      '  - "--flag"',
      'network: {"mode": "none", "dns": ["1.1.1.1"]}',
      '',
    ].join('\n');
    const loaded = await loadProfileSource(text, 'web.yaml');
    if (!loaded.ok) throw loaded.error;
    const at = loaded.value.positionOf;
    expect(loaded.value.document).toEqual(await loadProfileDocument(text));
    expect(at(['name'])).toEqual({ line: 1, column: 7 });
    expect(at(['resources', 'memory', 'max'])).toEqual({ line: 3, column: 18 });
    expect(at(['resources', 'memory', 'max'], 'key')).toEqual({ line: 3, column: 13 });
    expect(at(['command', 1], 'key')).toEqual({ line: 8, column: 5 });
    expect(at(['resources', 'memory'])).toEqual({ line: 3, column: 3 });
    expect(at(['resources', 'tasks'])).toEqual({ line: 4, column: 3 });
    expect(at(['resources', 'tasks', 'max'])).toEqual({ line: 5, column: 10 });
    expect(at(['command', 1])).toEqual({ line: 8, column: 5 });
    expect(at(['network', 'dns', 0])).toEqual({ line: 9, column: 35 });
    // paths to keys that are not written point at the map or list that would hold them
    expect(at(['resources', 'cpu', 'weight'])).toEqual({ line: 2, column: 1 });
    expect(at(['command', 5])).toEqual({ line: 6, column: 1 });
    expect(at(['seccomp'])).toEqual({ line: 1, column: 1 });
    expect(at([])).toEqual({ line: 1, column: 1 });
  });

  it('gives JSON the same positions, and an empty document line 1', async () => {
    const loaded = await loadProfileSource('{\n  "name": "web",\n  "boot": "no"\n}\n');
    expect(loaded.ok && loaded.value.positionOf(['boot'])).toEqual({ line: 3, column: 11 });
    const empty = await loadProfileSource('# nothing\n');
    expect(empty.ok && [empty.value.document, empty.value.positionOf(['name'])]).toEqual([
      {},
      { line: 1, column: 1 },
    ]);
  });

  it('gives a text that is not YAML its error with the position the parser names', async () => {
    const broken = await loadProfileSource('name: web\nresources: [a\n', 'bad.yaml');
    expect(broken.ok).toBe(false);
    if (broken.ok) return;
    expect(broken.error.code).toBe('PARSE_ERROR');
    expect(broken.position?.line).toBeGreaterThanOrEqual(2);
    const duplicate = await loadProfileSource('name: a\nboot: true\nname: b\n');
    expect(duplicate.ok ? undefined : duplicate.position).toEqual({ line: 3, column: 1 });
    const big = await loadProfileSource('x'.repeat(PROFILE_LIMITS.bytes + 1));
    expect(big.ok ? undefined : [big.error.code, big.position]).toEqual(['PARSE_ERROR', undefined]);
  });

  it('valid text with a bad value is a validation error, not a PARSE_ERROR', async () => {
    await expect(parseProfileText('resources:\n  memory:\n    max: 2GB\n')).rejects.toMatchObject({
      code: 'INVALID_BYTE_SIZE',
      path: ['resources', 'memory', 'max'],
    });
  });
});

describe('profileJsonSchema', () => {
  interface ObjectSchema {
    readonly $schema?: string;
    readonly type: string;
    readonly additionalProperties: unknown;
    readonly properties: Readonly<Record<string, ObjectSchema>>;
  }
  const schema = profileJsonSchema();
  const root = schema as unknown as ObjectSchema;
  const TOP_LEVEL = [
    'extends',
    'name',
    'rootfs',
    'boot',
    'command',
    'workloadUnit',
    'environment',
    'landlock',
    'seccomp',
    'resources',
    'network',
    'privateUsers',
    'readOnlyRoot',
  ];
  // Every keyword of JSON Schema draft 2020-12 (core, applicator, validation, meta-data, format, content).
  const KEYWORDS = new Set([
    '$schema',
    '$id',
    '$ref',
    '$defs',
    '$anchor',
    '$dynamicRef',
    '$dynamicAnchor',
    '$vocabulary',
    '$comment',
    'allOf',
    'anyOf',
    'oneOf',
    'not',
    'if',
    'then',
    'else',
    'dependentSchemas',
    'prefixItems',
    'items',
    'contains',
    'properties',
    'patternProperties',
    'additionalProperties',
    'propertyNames',
    'unevaluatedItems',
    'unevaluatedProperties',
    'type',
    'const',
    'enum',
    'multipleOf',
    'maximum',
    'exclusiveMaximum',
    'minimum',
    'exclusiveMinimum',
    'maxLength',
    'minLength',
    'pattern',
    'maxItems',
    'minItems',
    'uniqueItems',
    'maxContains',
    'minContains',
    'maxProperties',
    'minProperties',
    'required',
    'dependentRequired',
    'title',
    'description',
    'default',
    'deprecated',
    'readOnly',
    'writeOnly',
    'examples',
    'format',
    'contentEncoding',
    'contentMediaType',
    'contentSchema',
  ]);
  const TYPES = new Set(['null', 'boolean', 'object', 'array', 'number', 'string', 'integer']);
  const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
  const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
  const SUBSCHEMAS = new Set([
    'not',
    'if',
    'then',
    'else',
    'items',
    'contains',
    'additionalProperties',
    'propertyNames',
    'unevaluatedItems',
    'unevaluatedProperties',
    'contentSchema',
  ]);

  /** Checks the shape of a draft 2020-12 schema: known keywords, well-formed values. Returns problems. */
  function shapeProblems(node: unknown, where: string): string[] {
    if (typeof node === 'boolean') return [];
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return [`${where}: not a schema`];
    const out: string[] = [];
    for (const [key, child] of Object.entries(node)) {
      const at = `${where}/${key}`;
      if (!KEYWORDS.has(key)) out.push(`${at}: unknown keyword`);
      else if (SCHEMA_MAPS.has(key))
        for (const [name, sub] of Object.entries(child as object))
          out.push(...shapeProblems(sub, `${at}/${name}`));
      else if (SCHEMA_LISTS.has(key)) {
        if (!Array.isArray(child) || child.length === 0) out.push(`${at}: not a non-empty array`);
        else for (const [index, sub] of child.entries()) out.push(...shapeProblems(sub, `${at}/${index}`));
      } else if (SUBSCHEMAS.has(key)) out.push(...shapeProblems(child, at));
      else if (key === 'type') {
        const types = Array.isArray(child) ? child : [child];
        for (const type of types)
          if (!TYPES.has(type as string)) out.push(`${at}: unknown type ${String(type)}`);
      } else if (key === 'required' && !(Array.isArray(child) && child.every((x) => typeof x === 'string')))
        out.push(`${at}: not a list of names`);
      else if (key === 'pattern') {
        try {
          new RegExp(child as string, 'u');
        } catch {
          out.push(`${at}: not a regular expression`);
        }
      } else if (['minLength', 'maxLength', 'minItems', 'maxItems'].includes(key) && !Number.isInteger(child))
        out.push(`${at}: not an integer`);
    }
    return out;
  }

  it('is a draft 2020-12 object schema with every top-level property and no others', () => {
    expect(root.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(root.type).toBe('object');
    expect(root.additionalProperties).toBe(false);
    expect(Object.keys(root.properties).sort()).toEqual([...TOP_LEVEL].sort());
  });

  it('uses only draft 2020-12 keywords, each well-formed', () => {
    expect(shapeProblems(schema, '#')).toEqual([]);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  it('describes the nested objects strictly, with their own properties', () => {
    const { resources, boot } = root.properties;
    expect(resources?.additionalProperties).toBe(false);
    expect(Object.keys(resources?.properties ?? {}).sort()).toEqual([
      'cpu',
      'delegate',
      'io',
      'memory',
      'tasks',
    ]);
    expect(boot).toEqual({ type: 'boolean' });
  });

  const shippedFile = new URL('../../dist/profile.schema.json', import.meta.url);
  it('matches dist/profile.schema.json, the file the package ships (skipped only before the first build)', () => {
    const shipped = JSON.parse(readFileSync(shippedFile, 'utf8')) as Record<string, unknown>;
    const { $id, title, ...rest } = shipped;
    expect(typeof $id).toBe('string');
    expect(title).toBe('Volt isolation profile');
    expect(rest).toEqual(schema);
  });
});

describe('size caps (issue 16, finding 11)', () => {
  it('refuses a text over PROFILE_LIMITS.bytes before it is parsed', async () => {
    const text = `name: web\n${'#'.repeat(PROFILE_LIMITS.bytes)}\n`;
    await expect(loadProfileDocument(text, 'big.yaml')).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: `big.yaml has ${Buffer.byteLength(text)} bytes; accepted: a profile of at most 1048576 bytes`,
    });
  });

  it('finds a duplicate key among many and names its line (the check is linear in the keys)', async () => {
    const keys = Array.from({ length: 20_000 }, (_, index) => `  K${index}: v`);
    const text = `environment:\n${keys.join('\n')}\n  K7: again\n`;
    await expect(loadProfileDocument(text, 'dup.yaml')).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: expect.stringContaining('"K7" again at line 20002'),
    });
  });

  it("the issue's 470 KB document with 40 000 variables is loaded, then refused at environment", async () => {
    const keys = Array.from({ length: 40_000 }, (_, index) => `  K${index}: v`);
    const document = await loadProfileDocument(`name: web\nenvironment:\n${keys.join('\n')}\n`);
    const result = safeParseProfile(document);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect([result.error.code, result.error.path, result.issues.length]).toEqual([
        'INVALID_VALUE',
        ['environment'],
        1,
      ]);
      expect(result.error.message).toBe('40000 variables are too many; accepted: at most 1024');
    }
  });

  const over = <T>(limit: number, item: (index: number) => T): T[] =>
    Array.from({ length: limit + 1 }, (_, index) => item(index));
  const lists: readonly [string, Record<string, unknown>, readonly (string | number)[]][] = [
    ['command', { command: over(PROFILE_LIMITS.commandArguments, (i) => `a${i}`) }, ['command']],
    [
      'environment',
      { environment: Object.fromEntries(over(PROFILE_LIMITS.environment, (i) => [`K${i}`, 'v'])) },
      ['environment'],
    ],
    [
      'seccomp.deny',
      { seccomp: { deny: over(PROFILE_LIMITS.syscalls, () => 'mount') } },
      ['seccomp', 'deny'],
    ],
    [
      'landlock.paths',
      {
        landlock: {
          paths: over(PROFILE_LIMITS.landlockRules, (i) => ({ path: `/x${i}`, access: ['read-file'] })),
        },
      },
      ['landlock', 'paths'],
    ],
    [
      'landlock.handledFs',
      { landlock: { handledFs: over(PROFILE_LIMITS.enumerations, () => 'read-file') } },
      ['landlock', 'handledFs'],
    ],
    [
      'network.ports',
      { network: { ports: over(PROFILE_LIMITS.ports, (i) => `tcp:${i + 1}:80`) } },
      ['network', 'ports'],
    ],
    [
      'network.dns',
      { network: { dns: over(PROFILE_LIMITS.nameServers, () => '9.9.9.9') } },
      ['network', 'dns'],
    ],
    [
      'resources.io.devices',
      {
        resources: {
          io: { devices: over(PROFILE_LIMITS.devices, (i) => ({ device: `/dev/sd${i}`, weight: 100 })) },
        },
      },
      ['resources', 'io', 'devices'],
    ],
  ];
  for (const [what, document, path] of lists) {
    it(`refuses ${what} beyond its limit with INVALID_VALUE at its path`, () => {
      const result = safeParseProfile(document);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect([result.error.code, result.error.path]).toEqual(['INVALID_VALUE', path]);
        expect(result.error.message).toMatch(/accepted: at most \d+/);
      }
    });
  }

  it('takes every list at its limit', () => {
    const at = <T>(limit: number, item: (index: number) => T): T[] =>
      Array.from({ length: limit }, (_, index) => item(index));
    const result = safeParseProfile({
      command: at(PROFILE_LIMITS.commandArguments, (i) => `a${i}`),
      environment: Object.fromEntries(at(PROFILE_LIMITS.environment, (i) => [`K${i}`, 'v'])),
      seccomp: { deny: at(PROFILE_LIMITS.syscalls, () => 'mount') },
      network: { ports: at(PROFILE_LIMITS.ports, (i) => `tcp:${i + 1}:80`) },
    });
    expect(result.ok && result.value.environment?.length).toBe(PROFILE_LIMITS.environment);
  });
});
