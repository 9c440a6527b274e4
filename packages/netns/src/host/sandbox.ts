import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type NetworkConfig, parseMachineName, unwrap, type Valid, VoltError } from '@volt/core';
import { planBridge } from '../model/bridge-plan.js';
import {
  type NetOptions,
  parseNetOptions,
  type ResolvedNetOptions,
  sandboxVethName,
} from '../model/options.js';
import { parseSandboxRecord, type SandboxRecord } from '../model/sandbox-record.js';
import type { SandboxStatus } from '../model/status.js';
import { renderForwardElements } from '../render/nft.js';
import { renderResolvConf } from '../render/resolv-conf.js';
import { bridgeIsUp, bridgeUp, readForwards } from './bridge.js';
import { inHost, isMissing, runCommand } from './exec.js';
import { makeDirectory, writeFileWhole } from './files.js';
import { leaseAddress, readRecord, removeRecord, withStateLock, writeRecord } from './lease-records.js';

/** Options for {@link sandboxUp}. */
export interface SandboxUpOptions extends NetOptions {
  /** A fixed IPv4 address from the bridge's lease range instead of the next free one. */
  readonly address?: string;
}

/**
 * The interface name of a sandbox's side of its veth pair.
 *
 * @example
 * ```ts
 * (await sandboxStatus('web-1')).interfaces.some((link) => link.name === SANDBOX_INTERFACE); // true
 * ```
 */
export const SANDBOX_INTERFACE = 'eth0';

const NETNS_DIR = '/run/netns';

function checkName(name: string): string {
  const parsed = parseMachineName(name);
  if (!parsed.ok) throw parsed.error.at(['name']);
  return parsed.value;
}

async function deleteIgnoringMissing(argv: readonly string[], input?: string): Promise<void> {
  try {
    await runCommand(argv, input);
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
}

async function ensureNamespace(name: string): Promise<void> {
  if (existsSync(join(NETNS_DIR, name))) return;
  await runCommand(['ip', 'netns', 'add', name]);
}

/** `/etc/netns/NAME/resolv.conf`, which `ip netns exec` binds over /etc/resolv.conf: readable by all. */
async function writeResolvConf(options: ResolvedNetOptions, name: string, text: string): Promise<void> {
  const dir = join(options.etcNetnsDir, name);
  await makeDirectory(dir, 0o755);
  await writeFileWhole(join(dir, 'resolv.conf'), text, 0o644);
}

async function applyPrivate(
  options: ResolvedNetOptions,
  record: Valid<SandboxRecord>,
  gateway: string,
  gateway6?: string,
): Promise<void> {
  const name = record.name;
  const veth = record.hostInterface as string;
  await ensureNamespace(name);
  try {
    await runCommand(
      inHost(options.host, [
        'ip',
        'link',
        'add',
        veth,
        'type',
        'veth',
        'peer',
        'name',
        SANDBOX_INTERFACE,
        'netns',
        name,
      ]),
    );
  } catch (error) {
    if (!(VoltError.isInstance(error) && /File exists/.test(error.message))) throw error;
  }
  await runCommand(
    inHost(options.host, ['ip', 'link', 'set', veth, 'master', record.bridge as string, 'up']),
  );
  const inside = [
    'link set lo up',
    `link set ${SANDBOX_INTERFACE} up`,
    `address replace ${record.address}/${record.prefixLength} dev ${SANDBOX_INTERFACE}`,
    `route replace default via ${gateway} dev ${SANDBOX_INTERFACE}`,
  ];
  if (record.address6 !== null && gateway6 !== undefined) {
    inside.push(
      `address replace ${record.address6}/${record.prefixLength6} dev ${SANDBOX_INTERFACE} nodad`,
      `route replace default via ${gateway6} dev ${SANDBOX_INTERFACE}`,
    );
  }
  await runCommand(['ip', '-n', name, '-batch', '-'], `${inside.join('\n')}\n`);
  if (record.ports.length > 0) {
    try {
      await runCommand(
        inHost(options.host, ['nft', '-f', '-']),
        renderForwardElements(record.table as string, 'add', record.address as string, record.ports),
      );
    } catch (error) {
      if (VoltError.isInstance(error) && /File exists/.test(error.message)) {
        throw new VoltError('CONFLICT', `a host port of ${name} is already forwarded to another sandbox`, {
          path: ['network', 'ports'],
          hint: 'volt net status shows the active forwards',
          cause: error,
        });
      }
      throw error;
    }
  }
}

/**
 * Sets up the network of a direct sandbox (no nspawn), in the named network namespace `name`:
 * - private: ensures the bridge ({@link bridgeUp}), leases an address, creates a veth pair (host side
 *   `vethPrefix + name`, sandbox side `eth0`) attached to the bridge, sets the address and default route,
 *   brings loopback up, adds the port forwards to the bridge table's maps and writes
 *   `/etc/netns/NAME/resolv.conf` (which `ip netns exec` binds over /etc/resolv.conf);
 * - none: the namespace with only loopback, up.
 * Host mode needs no namespace and is refused. Running it again changes nothing. On failure everything
 * it did is undone.
 *
 * Port forwards reach the sandbox from other hosts and namespaces, and from this host through its own
 * non-loopback addresses; connections to 127.0.0.1 on the host are not forwarded (as with nspawn).
 *
 * @throws {@link VoltError} `INVALID_MACHINE_NAME` (path `name`), option codes (`parseNetOptions`),
 *   `UNSUPPORTED` for host mode, `CONFLICT` for a host port in use, `COMMAND_FAILED`, `PARSE_ERROR` for
 *   a bad record file.
 * @example
 * ```ts
 * const record = await sandboxUp('web-1', unwrap(parseNetworkConfig({ ports: ['8080:80'] })));
 * record.address; // '10.87.0.2'
 * ```
 */
export async function sandboxUp(
  name: string,
  network: Valid<NetworkConfig>,
  options: SandboxUpOptions = {},
): Promise<Valid<SandboxRecord>> {
  const sandbox = checkName(name);
  const resolved = unwrap(parseNetOptions(options));
  if (network.mode === 'host') {
    throw new VoltError(
      'UNSUPPORTED',
      'a sandbox in host mode shares the host network and needs no namespace',
      {
        path: ['network', 'mode'],
        hint: 'run the workload directly, or choose mode private or none',
      },
    );
  }
  if (network.mode === 'none') {
    const record = parseSandboxRecord(
      {
        name: sandbox,
        mode: 'none',
        bridge: null,
        table: null,
        address: null,
        prefixLength: null,
        address6: null,
        prefixLength6: null,
        hostInterface: null,
        ports: [],
      },
      sandbox,
    );
    // Built from a checked name: a record this refuses would be a bug, never written.
    if (!record.ok) throw record.error;
    const existing = await readRecord(resolved.stateDir, sandbox);
    if (existing !== null && existing.mode !== 'none') {
      throw new VoltError('CONFLICT', `sandbox ${sandbox} is already set up in mode ${existing.mode}`, {
        path: ['name'],
        hint: `run volt net sandbox down ${sandbox} first`,
      });
    }
    try {
      await ensureNamespace(sandbox);
      await runCommand(['ip', '-n', sandbox, 'link', 'set', 'lo', 'up']);
      await withStateLock(resolved.stateDir, () => writeRecord(resolved.stateDir, record.value));
    } catch (error) {
      await sandboxDown(sandbox, options);
      throw error;
    }
    return record.value;
  }

  const plan = planBridge(network);
  if (!(await bridgeIsUp(resolved, plan.bridge))) await bridgeUp(network, options);
  const record = await leaseAddress(
    resolved.stateDir,
    plan,
    {
      name: sandbox,
      mode: 'private',
      bridge: plan.bridge,
      table: resolved.table,
      hostInterface: sandboxVethName(resolved.vethPrefix, sandbox),
      ports: network.ports,
    },
    options.address,
  );
  try {
    await applyPrivate(resolved, record, plan.gateway.text, plan.gateway6?.text);
    await writeResolvConf(resolved, sandbox, renderResolvConf(network));
  } catch (error) {
    await sandboxDown(sandbox, options);
    throw error;
  }
  return record;
}

/**
 * Tears down a direct sandbox's network: its port forwards, the veth pair, the namespace, the
 * resolv.conf under /etc/netns and the lease. Whatever is already gone is skipped, so it also cleans up
 * after a half-finished setup. Processes still inside the namespace keep it alive (nameless) until they
 * exit.
 *
 * @throws {@link VoltError} `INVALID_MACHINE_NAME` (path `name`), `COMMAND_FAILED` from ip or nft.
 * @example
 * ```ts
 * await sandboxDown('web-1');
 * ```
 */
export async function sandboxDown(name: string, options: NetOptions = {}): Promise<void> {
  const sandbox = checkName(name);
  const resolved = unwrap(parseNetOptions(options));
  const record = await readRecord(resolved.stateDir, sandbox);
  if (record !== null && record.table !== null && record.address !== null && record.ports.length > 0) {
    const ours = ((await readForwards(resolved.host, record.table)) ?? []).filter(
      (active) =>
        active.address === record.address &&
        record.ports.some((port) => port.protocol === active.protocol && port.hostPort === active.hostPort),
    );
    if (ours.length > 0) {
      await runCommand(
        inHost(resolved.host, ['nft', '-f', '-']),
        renderForwardElements(record.table, 'delete', record.address, ours),
      );
    }
  }
  const veth = record?.hostInterface ?? sandboxVethName(resolved.vethPrefix, sandbox);
  await deleteIgnoringMissing(inHost(resolved.host, ['ip', 'link', 'delete', veth]));
  if (existsSync(join(NETNS_DIR, sandbox))) await deleteIgnoringMissing(['ip', 'netns', 'delete', sandbox]);
  await rm(join(resolved.etcNetnsDir, sandbox), { recursive: true, force: true });
  await withStateLock(resolved.stateDir, () => removeRecord(resolved.stateDir, sandbox));
}

interface IpAddressListing {
  readonly ifname: string;
  readonly flags?: readonly string[];
  readonly addr_info?: readonly {
    readonly local: string;
    readonly prefixlen: number;
    readonly scope?: string;
  }[];
}

/**
 * Reads what is in place for a direct sandbox: whether its namespace exists, its record (lease, veth,
 * forwards) and the interfaces inside with their addresses.
 *
 * @throws {@link VoltError} `INVALID_MACHINE_NAME` (path `name`), `COMMAND_FAILED` from ip.
 * @example
 * ```ts
 * (await sandboxStatus('web-1')).interfaces.map((i) => i.name); // ['lo', 'eth0']
 * ```
 */
export async function sandboxStatus(name: string, options: NetOptions = {}): Promise<SandboxStatus> {
  const sandbox = checkName(name);
  const resolved = unwrap(parseNetOptions(options));
  const record = await readRecord(resolved.stateDir, sandbox);
  const exists = existsSync(join(NETNS_DIR, sandbox));
  let interfaces: SandboxStatus['interfaces'] = [];
  if (exists) {
    const { stdout } = await runCommand(['ip', '-n', sandbox, '-json', 'address', 'show']);
    interfaces = (JSON.parse(stdout) as IpAddressListing[]).map((link) => ({
      name: link.ifname,
      up: link.flags?.includes('UP') ?? false,
      addresses: (link.addr_info ?? [])
        .filter((info) => info.scope !== 'link')
        .map((info) => `${info.local}/${info.prefixlen}`),
    }));
  }
  return { name: sandbox, exists, record, interfaces };
}
