import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unwrap } from '@volt/core';
import { parseContainerLease, planBridge } from '@volt/netns';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultIsolation, parseIsolation } from '../src/model/isolation.js';
import { WORKLOAD_DROP_IN_NAME, workloadDropInTarget } from '../src/model/paths.js';
import { renderPlan } from '../src/render/plan.js';
import { CONFIGURATIONS, PRESET_CONFIGURATIONS } from './configurations.js';
import {
  judgeDropInWithSystemdAnalyze,
  judgeWithNspawn,
  judgeWorkloadDropInWithSystemdAnalyze,
  nspawnScratch,
  runInBusyboxContainer,
  STOCK_UNIT_ARGUMENTS,
} from './real-nspawn.js';

const _isRoot = process.getuid?.() === 0;
const HELPER_MISSING =
  'app.service: Command /run/volt/volt-landlock is not executable: No such file or directory';
const target = { landlockAbi: 7, landlockHelper: '/usr/lib/volt/volt-landlock' } as const;
const scratch = nspawnScratch();
afterAll(() => scratch.dispose());

/** The text of the workload drop-in a profile renders. */
function workloadDropIn(document: Record<string, unknown>): string {
  const plan = renderPlan(
    unwrap(parseIsolation({ name: 'vtp-wl', rootfs: scratch.root, ...document })),
    target,
  );
  const file = plan.files.find((candidate) => candidate.path.endsWith(`/${WORKLOAD_DROP_IN_NAME}`));
  return file !== undefined && 'text' in file.content ? file.content.text : '';
}

/** One profile's plan, judged on both routes by nspawn and its drop-in by systemd-analyze verify. */
function judgePlan(title: string, document: Record<string, unknown>, name: string): void {
  describe(title, () => {
    const config = unwrap(parseIsolation({ name, ...document, rootfs: scratch.root }));
    const plan = renderPlan(
      config,
      config.network.mode === 'private'
        ? {
            ...target,
            containerLease: unwrap(parseContainerLease(planBridge(config.network), { address: '10.87.0.9' })),
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

describe('rendered plans judged by the real systemd-nspawn (needs root: cgroup2, mount namespace)', () => {
  for (const [title, document] of CONFIGURATIONS) judgePlan(title, document, 'vtp-web');
});

describe('the built-in presets, as profiles extend them, judged the same way (issue 18)', () => {
  for (const [title, document] of PRESET_CONFIGURATIONS) judgePlan(title, document, 'vp18-preset');
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

  it("Volt's workload drop-in, found after the image's own in the search path, is read by systemd as intended", () => {
    const text = workloadDropIn({ workloadUnit: 'app.service', command: ['/usr/bin/app', '--serve'] });
    // The helper lives inside the container (bound at /run/volt), so on this host systemd can only say that
    // it is missing; any other line is a finding.
    expect(judgeWorkloadDropInWithSystemdAnalyze('app.service', text)).toEqual([HELPER_MISSING]);
    expect(judgeWorkloadDropInWithSystemdAnalyze('app.service', `${text}Bogus=1\n`).join('\n')).toMatch(
      /Unknown key 'Bogus'/,
    );
  });

  it("every command list of the image's unit and of its drop-ins sorting before Volt's is replaced: systemd would run the helper alone (findings 7)", () => {
    const text = workloadDropIn({ workloadUnit: 'app.service', command: ['/usr/bin/app'] });
    // The command lists, named here independently of the renderer's table: a list it forgets shows.
    const unitFile = [
      '[Service]',
      ...[
        'ExecCondition',
        'ExecStartPre',
        'ExecStart',
        'ExecStartPost',
        'ExecReload',
        'ExecStop',
        'ExecStopPost',
      ].map((key) => `${key}=/vtp/image-${key}`),
      '',
    ].join('\n');
    const override = { '99-override.conf': '[Service]\nExecStart=\nExecStart=/vtp/override\n' };
    expect(
      judgeWorkloadDropInWithSystemdAnalyze('app.service', text, { unitFile, dropIns: override }),
    ).toEqual([HELPER_MISSING]);
    // The oracle itself: an image drop-in sorting after Volt's gets its command run (why apply refuses one).
    const late = { 'zzz-override.conf': '[Service]\nExecStart=\nExecStart=/vtp/override\n' };
    expect(
      judgeWorkloadDropInWithSystemdAnalyze('app.service', text, { unitFile, dropIns: late }).join('\n'),
    ).toMatch(/Command \/vtp\/override is not executable/);
  });

  it('reports a bad drop-in value', () => {
    expect(judgeDropInWithSystemdAnalyze('vtp-bad', '[Service]\nMemoryMax=2GB\n').join('\n')).toMatch(
      /Invalid memory limit '2GB'/,
    );
  });
});

describe('issue 16 on the real systemd-nspawn 252 (needs root)', () => {
  it('ends its options at --: a command that looks like options is the command (finding 3)', () => {
    const config = unwrap(
      parseIsolation({
        name: 'vtp-inject',
        rootfs: scratch.root,
        boot: false,
        landlock: 'none',
        network: { mode: 'none' },
        command: ['--private-users=vtp-not-a-mode', '--capability=all', '/bin/sh'],
      }),
    );
    const plan = renderPlan(config, target);
    const verdict = judgeWithNspawn(plan.direct.argv.slice(1), { environment: plan.direct.environment });
    // Read as an option, --private-users= would be refused (`Failed to parse UID "vtp-not-a-mode"`).
    expect(verdict.findings).toEqual([]);
    expect(verdict.reachedRefusal).toBe(true);
    // The judge sees the difference: nspawn's options followed by the command itself, with no `--` (and no
    // helper, whose path would end nspawn's options as its first positional argument).
    const options = plan.direct.argv.slice(1, plan.direct.argv.indexOf('--'));
    const withoutSeparator = [...options, ...config.command];
    expect(
      judgeWithNspawn(withoutSeparator, { environment: plan.direct.environment }).findings.join('\n'),
    ).toMatch(/Failed to parse UID "vtp-not-a-mode"/);
    // Parameters= in the .nspawn file is never read as options: it needs no `--`.
    const fromFile = judgeWithNspawn(
      [...STOCK_UNIT_ARGUMENTS, `--machine=${config.name}`, `--directory=${scratch.root}`],
      {
        settings: { dir: scratch.settingsDir, machine: config.name, text: plan.nspawnFile },
        environment: plan.direct.environment,
      },
    );
    expect(plan.nspawnFile).toMatch(
      /^Parameters=.* --private-users=vtp-not-a-mode --capability=all \/bin\/sh$/m,
    );
    expect([fromFile.findings, fromFile.reachedRefusal]).toEqual([[], true]);
  });

  it('binds a host file into /run/systemd/system/UNIT.d/ of a container, with a read-only root and private users too (finding 1)', () => {
    const host = mkdtempSync(join(tmpdir(), 'vtp-dropin-'));
    try {
      const source = join(host, WORKLOAD_DROP_IN_NAME);
      writeFileSync(source, workloadDropIn({ workloadUnit: 'app.service', command: ['/usr/bin/app'] }));
      const target = workloadDropInTarget('app.service');
      for (const extra of [
        [],
        ['--read-only'],
        ['--read-only', '--private-users=pick', '--private-users-ownership=auto'],
      ]) {
        const run = runInBusyboxContainer([...extra, `--bind-ro=${source}:${target}`], ['/bin/cat', target]);
        expect([run.status, run.output], extra.join(' ')).toEqual([0, readFileSync(source, 'utf8')]);
      }
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });
});
