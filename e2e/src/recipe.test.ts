import { describe, expect, it } from 'vitest';
import { imageCacheKey, VM_IMAGE_RECIPE } from './recipe.js';
import { qemuArguments } from './vm.js';

const base = {
  recipe: VM_IMAGE_RECIPE,
  kernelPackage: 'linux-image-6.1.0-56-amd64=6.1.192-2',
  overlayFiles: new Map([['etc/hostname', 'vtv-e2e\n']]),
};

describe('recipe', () => {
  it('keys the cache by everything that shapes the image, and nothing else', () => {
    const key = imageCacheKey(base);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(imageCacheKey({ ...base, overlayFiles: new Map(base.overlayFiles) })).toBe(key);
    expect(imageCacheKey({ ...base, kernelPackage: 'linux-image-6.1.0-57-amd64=6.1.193-1' })).not.toBe(key);
    expect(imageCacheKey({ ...base, overlayFiles: new Map([['etc/hostname', 'other\n']]) })).not.toBe(key);
    expect(
      imageCacheKey({ ...base, recipe: { ...VM_IMAGE_RECIPE, include: [...VM_IMAGE_RECIPE.include, 'jq'] } }),
    ).not.toBe(key);
  });

  it('boots with TCG, no network, no reboot and the recipe command line', () => {
    const args = qemuArguments({
      kernel: 'k',
      initrd: 'i',
      kernelCommandLine: VM_IMAGE_RECIPE.kernelCommandLine,
      memoryMiB: 2048,
      cpus: 2,
    });
    expect(args).toContain('tcg,thread=multi');
    expect(args.slice(args.indexOf('-nic'), args.indexOf('-nic') + 2)).toEqual(['-nic', 'none']);
    expect(args).toContain('-no-reboot');
    expect(args.at(-1)).toContain('systemd.unified_cgroup_hierarchy=1');
  });
});
