import { describe, expect, it } from 'vitest';
import { formatLandlockStatus } from './status.js';

describe('formatLandlockStatus', () => {
  it('writes one line, and one indented line per dropped feature', () => {
    expect(
      formatLandlockStatus({
        enforcement: 'fully',
        abi: 7,
        errata: 1,
        compatibility: 'hard-requirement',
        dropped: [],
      }),
    ).toBe('landlock: fully enforced (ABI 7, hard-requirement)\n');
    expect(
      formatLandlockStatus({
        enforcement: 'partially',
        abi: 7,
        errata: 1,
        compatibility: 'best-effort',
        dropped: [
          { feature: 'thread-sync', reason: 'needs Landlock ABI 8 (Linux 7.0); this kernel has ABI 7' },
          { feature: 'path:/a\nb', reason: 'optional path does not exist' },
        ],
      }),
    ).toBe(
      'landlock: partially enforced (ABI 7, best-effort), 2 dropped:\n' +
        '  thread-sync: needs Landlock ABI 8 (Linux 7.0); this kernel has ABI 7\n' +
        '  path:/a\\nb: optional path does not exist\n',
    );
  });
});
