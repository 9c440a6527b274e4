import { describe, expect, it } from 'vitest';
import type { LayerEnforcement } from './plan.js';
import { formatEnforcementTable } from './targets.js';

describe('formatEnforcementTable', () => {
  it('has one aligned row per entry of the report, in its order, whatever the layer', () => {
    const report = [
      { layer: 'root', status: 'enforced', detail: 'root directory is read-only' },
      // a layer a renderer adds later shows up without a change here
      { layer: 'capabilities', status: 'partially-enforced', detail: 'CAP_NET_ADMIN kept' },
      { layer: 'users', status: 'not-enforced', detail: 'host users' },
    ] as unknown as readonly LayerEnforcement[];
    expect(formatEnforcementTable(report)).toBe(
      [
        'LAYER         STATUS              WHY',
        'root          enforced            root directory is read-only',
        'capabilities  partially enforced  CAP_NET_ADMIN kept',
        'users         not enforced        host users',
        '',
      ].join('\n'),
    );
  });

  it('styles the status cell only, keeping the columns aligned on the text', () => {
    const styled = formatEnforcementTable(
      [{ layer: 'root', status: 'enforced', detail: 'read-only' }],
      (status, text) => `<${status}>${text}</>`,
    );
    expect(styled).toBe('LAYER  STATUS    WHY\nroot   <enforced>enforced</>  read-only\n');
  });
});
