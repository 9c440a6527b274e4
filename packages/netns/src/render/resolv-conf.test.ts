import { unwrap } from '@volt/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK_CONFIG, parseNetworkConfig } from '../model/config.js';
import { renderResolvConf } from './resolv-conf.js';

describe('renderResolvConf', () => {
  it('writes the DNS servers (the seed dropped them) and the search domains', () => {
    expect(renderResolvConf(DEFAULT_NETWORK_CONFIG)).toBe(
      '# Written by Volt; changes are lost when the container restarts.\nnameserver 1.1.1.1\nnameserver 1.0.0.1\n',
    );
    expect(
      renderResolvConf(
        unwrap(parseNetworkConfig({ dns: ['fd00::53'], searchDomains: ['corp.example', 'lab'] })),
      ),
    ).toBe(
      '# Written by Volt; changes are lost when the container restarts.\nnameserver fd00::53\nsearch corp.example lab\n',
    );
  });

  it('only ever gets DNS entries that are IP addresses: the parser refuses the rest before', () => {
    const result = parseNetworkConfig({ dns: ['1.1.1.1\noptions ndots:15'] });
    expect(result.ok === false && [result.error.code, result.error.path]).toEqual([
      'INVALID_IP_ADDRESS',
      ['network', 'dns', 0],
    ]);
  });
});
