import { parseProfile } from '@volt/core/profile';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultIsolation } from '../src/defaults.js';
import { renderPlan } from '../src/plan.js';
import { isolationFromProfile } from '../src/resolve.js';
import {
  judgeDropInWithSystemdAnalyze,
  judgeWithNspawn,
  nspawnScratch,
  STOCK_UNIT_ARGUMENTS,
} from './real-nspawn.js';

const isRoot = process.getuid?.() === 0;
const target = { landlockAbi: 7, landlockHelper: '/usr/lib/volt/volt-landlock' } as const;
const scratch = nspawnScratch();
afterAll(() => scratch.dispose());

/** The default plan and varied configurations, each judged by the real systemd-nspawn and systemd-analyze. */
const CONFIGURATIONS: readonly [string, Record<string, unknown>][] = [
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

describe.skipIf(!isRoot)(
  'rendered plans judged by the real systemd-nspawn (needs root: cgroup2, mount namespace)',
  () => {
    for (const [title, document] of CONFIGURATIONS) {
      describe(title, () => {
        const config = isolationFromProfile(parseProfile({ name: 'vtp-web', ...document }), {
          rootfs: scratch.root,
        });
        const plan = renderPlan(
          config,
          config.network.mode === 'private' ? { ...target, containerAddress: '10.87.0.9' } : target,
        );

        it('the direct command line draws no warning or error', () => {
          const verdict = judgeWithNspawn(plan.direct.argv.slice(1), {
            environment: plan.direct.environment,
          });
          expect(verdict.findings).toEqual([]);
          expect(verdict.reachedRefusal).toBe(true);
        });

        it('the .nspawn file under the stock unit arguments draws no warning or error', () => {
          const verdict = judgeWithNspawn(
            [...STOCK_UNIT_ARGUMENTS, `--machine=${config.name}`, `--directory=${scratch.root}`],
            {
              settings: { dir: scratch.settingsDir, machine: config.name, text: plan.nspawnFile },
              environment: plan.direct.environment,
            },
          );
          expect(verdict.findings).toEqual([]);
          expect(verdict.reachedRefusal).toBe(true);
        });

        it('systemd-analyze verify accepts the service drop-in', () => {
          expect(judgeDropInWithSystemdAnalyze(config.name, plan.serviceDropIn)).toEqual([]);
        });
      });
    }
  },
);

describe.skipIf(!isRoot)('the judge itself (needs root)', () => {
  it('reports what the seed sketch rendered: an unknown [ResourceControl] section', () => {
    const plan = renderPlan(defaultIsolation('vtp-seed', scratch.root), target);
    const verdict = judgeWithNspawn(
      [...STOCK_UNIT_ARGUMENTS, '--machine=vtp-seed', `--directory=${scratch.root}`],
      {
        settings: {
          dir: scratch.settingsDir,
          machine: 'vtp-seed',
          text: `${plan.nspawnFile}\n[ResourceControl]\nMemoryMax=2G\n`,
        },
      },
    );
    expect(verdict.findings.join('\n')).toMatch(/Unknown section 'ResourceControl'/);
  });

  it('reports a bad drop-in value', () => {
    expect(judgeDropInWithSystemdAnalyze('vtp-bad', '[Service]\nMemoryMax=2GB\n').join('\n')).toMatch(
      /Invalid memory limit '2GB'/,
    );
  });
});
