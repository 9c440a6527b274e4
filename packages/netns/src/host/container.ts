import { type NetworkConfig, parseMachineName, unwrap, type Valid, VoltError } from '@volt/core';
import { planBridge } from '../model/bridge-plan.js';
import { nspawnHostInterface } from '../model/nspawn-settings.js';
import { type NetOptions, parseNetOptions } from '../model/options.js';
import type { SandboxRecord } from '../model/sandbox-record.js';
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
 * const record = await leaseContainerAddress('web', DEFAULT_NETWORK_CONFIG);
 * record.address; // '10.87.0.2'
 * ```
 */
export async function leaseContainerAddress(
  machineName: string,
  network: Valid<NetworkConfig>,
  options: NetOptions = {},
): Promise<Valid<SandboxRecord>> {
  const name = parseMachineName(machineName);
  if (!name.ok) throw name.error.at(['name']);
  if (network.mode !== 'private') {
    throw new VoltError('UNSUPPORTED', `a container in mode ${network.mode} has no address on the bridge`, {
      path: ['network', 'mode'],
    });
  }
  const resolved = unwrap(parseNetOptions(options));
  const plan = planBridge(network);
  return leaseAddress(resolved.stateDir, plan, {
    name: name.value,
    mode: 'private',
    bridge: plan.bridge,
    table: null,
    hostInterface: nspawnHostInterface(name.value),
    ports: [],
  });
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
  await withStateLock(resolved.stateDir, () => removeRecord(resolved.stateDir, name.value));
}
