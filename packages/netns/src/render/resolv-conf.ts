import type { NetworkConfig, Valid } from '@volt/core';

/**
 * Renders the container's resolv.conf: one `nameserver` line per DNS server, in order, and a `search` line
 * when there are search domains. The configuration was validated: nothing but IP addresses and domain
 * names reaches the file.
 *
 * @example
 * ```ts
 * renderResolvConf(DEFAULT_NETWORK_CONFIG);
 * // '# Written by Volt; changes are lost when the container restarts.\nnameserver 1.1.1.1\nnameserver 1.0.0.1\n'
 * ```
 */
export function renderResolvConf(network: Valid<NetworkConfig>): string {
  const lines = [
    '# Written by Volt; changes are lost when the container restarts.',
    ...network.dns.map((server) => `nameserver ${server}`),
  ];
  if (network.searchDomains.length > 0) lines.push(`search ${network.searchDomains.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
