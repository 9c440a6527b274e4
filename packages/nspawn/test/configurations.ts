/** The default plan and varied configurations: judged by the real systemd-nspawn, and rendered, parsed and rendered again. */
export const CONFIGURATIONS: readonly (readonly [string, Record<string, unknown>])[] = [
  ['default', {}],
  ['host network', { network: { mode: 'host' } }],
  ['no network', { network: { mode: 'none' } }],
  [
    'port forwards tcp and udp',
    { network: { ports: ['tcp:8080:80', 'udp:5353:53', { host: 2222, container: 22 }] } },
  ],
  [
    'custom bridge and DNS',
    { network: { bridge: 'br-apps', dns: ['9.9.9.9', '2620:fe::fe'], searchDomains: ['corp.example'] } },
  ],
  ['read-only root with private users', { readOnlyRoot: true }],
  ['read-only root without private users', { readOnlyRoot: true, privateUsers: false }],
  ['strict seccomp, Boot=no', { seccomp: 'strict', boot: false, command: ['/usr/bin/app'] }],
  ['unconfined seccomp', { seccomp: 'unconfined' }],
  [
    'seccomp allow and deny lists',
    {
      seccomp: {
        profile: 'default',
        allow: ['@clock'],
        deny: ['@swap', 'ptrace'],
        action: { errno: 'EACCES' },
      },
    },
  ],
  ['Boot=no under Landlock', { boot: false, command: ['/usr/bin/env', 'FOO=1', '/usr/bin/app'] }],
  [
    'Boot=no on a private network with a read-only root, without Landlock',
    { boot: false, command: ['/usr/bin/app'], readOnlyRoot: true, landlock: 'none' },
  ],
  ['workload unit under Landlock', { workloadUnit: 'app.service', command: ['/usr/bin/app', '--serve'] }],
  ['no Landlock', { landlock: 'none' }],
  ['desktop Landlock preset', { landlock: 'desktop', boot: false, command: ['/usr/bin/app'] }],
  [
    'every resource limit',
    {
      resources: {
        memory: { min: '64M', low: '128M', high: '1.5G', max: '2G', swapMax: '512M' },
        cpu: {
          weight: 'idle',
          startupWeight: 200,
          quota: '150%',
          quotaPeriod: '50ms',
          allowedCpus: '0-1',
          allowedMemoryNodes: '0',
        },
        io: {
          weight: 500,
          devices: [{ device: '/dev/vda', weight: 200, readBandwidthMax: '10M', writeIopsMax: 1000 }],
        },
        tasks: { max: '50%' },
      },
    },
  ],
  [
    'limits as infinity',
    { resources: { memory: { max: 'infinity', high: 'infinity' }, tasks: { max: 'infinity' } } },
  ],
  ['environment variables', { environment: { APP_MODE: 'production', JAVA_OPTS: '-Xmx512m' } }],
];

/** A profile extending each built-in preset, as a user would write one (issue 18): judged like the others. */
export const PRESET_CONFIGURATIONS: readonly (readonly [string, Record<string, unknown>])[] = [
  [
    'server@1 with a workload unit',
    { extends: 'server', workloadUnit: 'app.service', command: ['/usr/bin/app'] },
  ],
  [
    'desktop@1 with a workload unit',
    { extends: 'desktop@1', workloadUnit: 'session.service', command: ['/usr/bin/session', '--x'] },
  ],
  ['strict-app@1', { extends: 'strict-app', command: ['/usr/bin/app', '--serve', 'a b'] }],
  [
    'strict-app@1 with MemoryMax 48M (the default MemoryHigh gives way) and extra Landlock and seccomp rules',
    {
      extends: 'strict-app@1',
      command: ['/usr/bin/app'],
      resources: { memory: { max: '48M' } },
      landlock: { paths: [{ path: '/srv/data', access: ['read-file', 'read-dir'], optional: true }] },
      seccomp: { deny: ['ptrace'] },
    },
  ],
];
