import { unwrap } from '@volt/core';
import { parseContainerLease, planBridge } from '@volt/netns';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultIsolation, parseIsolation } from '../src/model/isolation.js';
import { renderPlan } from '../src/render/plan.js';
import { CONFIGURATIONS } from './configurations.js';
import {
  judgeDropInWithSystemdAnalyze,
  judgeWithNspawn,
  judgeWorkloadDropInWithSystemdAnalyze,
  nspawnScratch,
  STOCK_UNIT_ARGUMENTS,
} from './real-nspawn.js';

const _isRoot = process.getuid?.() === 0;
const target = { landlockAbi: 7, landlockHelper: '/usr/lib/volt/volt-landlock' } as const;
const scratch = nspawnScratch();
afterAll(() => scratch.dispose());

describe('rendered plans judged by the real systemd-nspawn (needs root: cgroup2, mount namespace)', () => {
  for (const [title, document] of CONFIGURATIONS) {
    describe(title, () => {
      const config = unwrap(parseIsolation({ name: 'vtp-web', ...document, rootfs: scratch.root }));
      const plan = renderPlan(
        config,
        config.network.mode === 'private'
          ? {
              ...target,
              containerLease: unwrap(
                parseContainerLease(planBridge(config.network), { address: '10.87.0.9' }),
              ),
            }
          : target,
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
});

describe('the judge itself (needs root)', () => {
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

  it('the workload drop-in Volt writes into the rootfs is read by systemd as intended', () => {
    const config = unwrap(
      parseIsolation({
        name: 'vtp-wl',
        workloadUnit: 'app.service',
        command: ['/usr/bin/app', '--serve'],
        rootfs: scratch.root,
      }),
    );
    const file = renderPlan(config, target).files.find((candidate) =>
      candidate.path.endsWith('/50-volt-landlock.conf'),
    );
    const text = file !== undefined && 'text' in file.content ? file.content.text : '';
    // The helper lives inside the container (bound at /run/volt), so on this host systemd can only say that
    // it is missing; any other line is a finding.
    expect(judgeWorkloadDropInWithSystemdAnalyze('app.service', text)).toEqual([
      'app.service: Command /run/volt/volt-landlock is not executable: No such file or directory',
    ]);
    expect(judgeWorkloadDropInWithSystemdAnalyze('app.service', `${text}Bogus=1\n`).join('\n')).toMatch(
      /Unknown key 'Bogus'/,
    );
  });

  it('reports a bad drop-in value', () => {
    expect(judgeDropInWithSystemdAnalyze('vtp-bad', '[Service]\nMemoryMax=2GB\n').join('\n')).toMatch(
      /Invalid memory limit '2GB'/,
    );
  });
});
