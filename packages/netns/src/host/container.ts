import { type NetworkConfig, parseMachineName, unwrap, type Valid, VoltError } from '@volt/core';
import { planBridge } from '../model/bridge-plan.js';
import { type ContainerLease, parseContainerLease } from '../model/leases.js';
import { nspawnHostInterface } from '../model/nspawn-settings.js';
import { type NetOptions, parseNetOptions } from '../model/options.js';
import { leaseAddress, removeRecord, withStateLock } from './lease-records.js';

/**
 * Leases an address on the bridge for an nspawn container (private mode), recorded under the machine
 * name like a direct sandbox, so both kinds never share an address and the bridge is not torn down under
 * them. The container's port forwards are nspawn's own (`Port=`), not recorded here.
 *
 * @throws {@link VoltError} `INVALID_MACHINE_NAME` (path `name`), `UNSUPPORTED` outside private mode,
 *   option codes (`parseNetOptions`), `CONFLICT`, `BUSY`, `PARSE_ERROR` for a bad record file.
 * @example
 * ```ts
 * const lease = await leaseContainerAddress('web', DEFAULT_NETWORK_CONFIG);
 * lease.address.text; // '10.87.0.2'
 * ```
 */
export async function leaseContainerAddress(
  machineName: string,
  network: Valid<NetworkConfig>,
  options: NetOptions = {},
): Promise<Valid<ContainerLease>> {
  const name = parseMachineName(machineName);
  if (!name.ok) throw name.error.at(['name']);
  if (network.mode !== 'private') {
    throw new VoltError('UNSUPPORTED', `a container in mode ${network.mode} has no address on the bridge`, {
      path: ['network', 'mode'],
    });
  }
  const resolved = unwrap(parseNetOptions(options));
  const plan = planBridge(network);
  const record = await leaseAddress(resolved.stateDir, plan, {
    name: name.value,
    mode: 'private',
    bridge: plan.bridge,
    table: null,
    hostInterface: nspawnHostInterface(name.value),
    ports: [],
  });
  // The record was written for this bridge a moment ago: its addresses are the bridge's by construction.
  return unwrap(
    parseContainerLease(plan, {
      address: record.address ?? '',
      ...(record.address6 === null ? {} : { address6: record.address6 }),
    }),
  );
}

/**
 * Releases the address of an nspawn container. Releasing a missing lease is not an error.
 *
 * @throws {@link VoltError} `INVALID_MACHINE_NAME` (path `name`), `BUSY` from the lock.
 * @example
 * ```ts
 * await releaseContainerAddress('web');
 * ```
 */
export async function releaseContainerAddress(machineName: string, options: NetOptions = {}): Promise<void> {
  const name = parseMachineName(machineName);
  if (!name.ok) throw name.error.at(['name']);
  const resolved = unwrap(parseNetOptions(options));
  await withStateLock(resolved.stateDir, async () => removeRecord(resolved.stateDir, name.value));
}
