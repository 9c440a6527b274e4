import { unwrap } from '@volt/core';
import { parseContainerLease, planBridge } from '@volt/netns';
import { describe, expect, it } from 'vitest';
import { CONFIGURATIONS, PRESET_CONFIGURATIONS } from '../../test/configurations.js';
import { type IsolationPlan, renderPlan } from '../render/plan.js';
import { isolationFromInstalled } from './installed.js';
import { parseIsolation } from './isolation.js';

const target = { landlockAbi: 7, landlockHelper: '/usr/lib/volt/volt-landlock' } as const;

function textOf(plan: IsolationPlan, suffix: string): string | undefined {
  const file = plan.files.find((candidate) => candidate.path.endsWith(suffix));
  return file !== undefined && 'text' in file.content ? file.content.text : undefined;
}

function installedFilesOf(plan: IsolationPlan) {
  const workloadDropIn = textOf(plan, '/zz-volt-landlock.conf');
  return {
    name: plan.config.name,
    rootfs: plan.config.rootfs,
    nspawnFile: plan.nspawnFile,
    serviceDropIn: plan.serviceDropIn,
    ...(textOf(plan, '/resolv.conf') === undefined
      ? {}
      : { resolvConf: textOf(plan, '/resolv.conf') as string }),
    ...(textOf(plan, '/host0.network') === undefined
      ? {}
      : { containerNetworkFile: textOf(plan, '/host0.network') as string }),
    ...(textOf(plan, '/landlock.json') === undefined
      ? {}
      : { landlockPolicy: textOf(plan, '/landlock.json') as string }),
    ...(workloadDropIn === undefined ? {} : { workloadDropIn }),
  };
}

describe('render, parse, render', () => {
  for (const [title, document] of [...CONFIGURATIONS, ...PRESET_CONFIGURATIONS]) {
    it(`gives the same files again: ${title}`, () => {
      const first = renderPlan(unwrap(parseIsolation({ name: 'vtp-web', ...document })), target);
      const parsed = isolationFromInstalled(installedFilesOf(first));
      if (!parsed.ok) throw parsed.error;
      const second = renderPlan(parsed.value, target);
      expect(second.nspawnFile).toBe(first.nspawnFile);
      expect(second.serviceDropIn).toBe(first.serviceDropIn);
      expect(second.direct).toEqual(first.direct);
      expect(second.files).toEqual(first.files);
    });
  }

  it("reads the bridge's subnet back from the leased container's networkd file (volt start brings the bridge up with it)", () => {
    const network = { mode: 'private', bridge: 'vtpbr9', subnet: '10.213.9.0/24', dns: ['10.213.9.53'] };
    const config = unwrap(parseIsolation({ name: 'vtp-net', boot: true, network }));
    const leased = {
      ...target,
      containerLease: unwrap(parseContainerLease(planBridge(config.network), { address: '10.213.9.2' })),
    };
    const first = renderPlan(config, leased);
    const parsed = isolationFromInstalled(installedFilesOf(first));
    if (!parsed.ok) throw parsed.error;
    expect(parsed.value.network.subnet).toBe('10.213.9.0/24');
    expect(renderPlan(parsed.value, leased).files).toEqual(first.files);
    const { containerNetworkFile: _leased, ...withoutNetworkFile } = installedFilesOf(first);
    const withoutLease = isolationFromInstalled(withoutNetworkFile);
    expect(withoutLease.ok && withoutLease.value.network.subnet).toBe('10.87.0.0/16');
  });

  it('checks what it read like any configuration: a hand-edited bad value is refused', () => {
    const result = isolationFromInstalled({
      name: 'web',
      nspawnFile:
        '[Exec]\nBoot=no\nParameters=/bin/app\nEnvironment=1MODE=x\n[Network]\nPrivate=no\nVirtualEthernet=no\n',
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect([result.error.code, result.error.path]).toEqual(['UNSAFE_STRING', ['environment', '1MODE']]);
  });

  it('refuses a key it does not read back, instead of dropping it', () => {
    const result = isolationFromInstalled({
      name: 'web',
      nspawnFile: '[Exec]\nBoot=yes\nCapability=CAP_NET_ADMIN\n',
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect([result.error.code, result.error.path]).toEqual(['PARSE_ERROR', ['Exec', 'Capability']]);
  });
});
