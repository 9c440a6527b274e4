import { describe, expect, it } from 'vitest';
import { LANDLOCK_ABI_FEATURES, LANDLOCK_LATEST_ABI, landlockAbiFeatures, landlockAbiOf } from './abi.js';

describe('ABI tables', () => {
  it('add each feature in the ABI that introduced it', () => {
    const added = LANDLOCK_ABI_FEATURES.slice(1).map((features, index) => {
      const before = LANDLOCK_ABI_FEATURES[index];
      return {
        abi: features.abi,
        fs: features.fs.filter((right) => !before?.fs.includes(right)).length,
        net: features.net.length - (before?.net.length ?? 0),
        scopes: features.scopes.length - (before?.scopes.length ?? 0),
        logFlags: features.logFlags.length - (before?.logFlags.length ?? 0),
        threadSync: features.threadSync && !before?.threadSync,
      };
    });
    expect(added).toEqual([
      { abi: 1, fs: 13, net: 0, scopes: 0, logFlags: 0, threadSync: false },
      { abi: 2, fs: 1, net: 0, scopes: 0, logFlags: 0, threadSync: false },
      { abi: 3, fs: 1, net: 0, scopes: 0, logFlags: 0, threadSync: false },
      { abi: 4, fs: 0, net: 2, scopes: 0, logFlags: 0, threadSync: false },
      { abi: 5, fs: 1, net: 0, scopes: 0, logFlags: 0, threadSync: false },
      { abi: 6, fs: 0, net: 0, scopes: 2, logFlags: 0, threadSync: false },
      { abi: 7, fs: 0, net: 0, scopes: 0, logFlags: 3, threadSync: false },
      { abi: 8, fs: 0, net: 0, scopes: 0, logFlags: 0, threadSync: true },
      { abi: 9, fs: 1, net: 0, scopes: 0, logFlags: 0, threadSync: false },
    ]);
    expect(landlockAbiFeatures(0).fs).toEqual([]);
  });

  it('names the first ABI of a feature', () => {
    expect(landlockAbiOf({ fs: 'execute' })).toBe(1);
    expect(landlockAbiOf({ fs: 'refer' })).toBe(2);
    expect(landlockAbiOf({ fs: 'truncate' })).toBe(3);
    expect(landlockAbiOf({ net: 'bind-tcp' })).toBe(4);
    expect(landlockAbiOf({ fs: 'ioctl-dev' })).toBe(5);
    expect(landlockAbiOf({ scope: 'signal' })).toBe(6);
    expect(landlockAbiOf({ logFlag: 'subdomains-off' })).toBe(7);
    expect(landlockAbiOf({ threadSync: true })).toBe(8);
    expect(landlockAbiOf({ fs: 'resolve-unix' })).toBe(9);
  });

  it('treats a newer kernel as the latest known ABI and clamps nonsense', () => {
    expect(landlockAbiFeatures(12).abi).toBe(LANDLOCK_LATEST_ABI);
    expect(landlockAbiFeatures(-3).abi).toBe(0);
  });
});
