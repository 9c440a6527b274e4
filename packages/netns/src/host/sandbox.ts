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
import { renderBridgePort, renderSandboxLinks, renderSandboxTeardown } from '../render/ip.js';
import { renderForwardElements, renderForwardRemoval } from '../render/nft.js';
import { renderResolvConf } from '../render/resolv-conf.js';
import { bridgeUp, readForwards } from './bridge.js';
import { checkIpBatch, inHost, isMissing, isMissingMessage, runCommand, runIpBatch } from './exec.js';
import { makeDirectory, writeFileWhole } from './files.js';
import { leaseAddress, readRecord, removeRecord, withStateLock, writeRecord } from './lease-records.js';
import { startSpan } from './trace.js';

/** Options for {@link sandboxUp}. */
export interface SandboxUpOptions extends NetOptions {
  /** A fixed IPv4 address from the bridge's lease range instead of the next free one. */
  readonly address?: string;
}

const NETNS_DIR = '/run/netns';

function checkName(name: string): string {
  const parsed = parseMachineName(name);
  if (!parsed.ok) throw parsed.error.at(['name']);
  return parsed.value;
}

/**
 * Waits for every task, then throws the first failure: a failed step never leaves another one still
 * running while the caller undoes the setup.
 */
async function allOrFirstError<T>(tasks: readonly Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

async function createNamespace(name: string): Promise<void> {
  if (existsSync(join(NETNS_DIR, name))) return;
  await runCommand(['ip', 'netns', 'add', name], { span: 'ip netns add' });
}

/** The host namespace as `ip link … netns` names it: the host context's, else this process's own. */
function hostNamespace(options: ResolvedNetOptions): string {
  return options.host.namespace ?? `/proc/${process.pid}/ns/net`;
}

/** `/etc/netns/NAME/resolv.conf`, which `ip netns exec` binds over /etc/resolv.conf: readable by all. */
function writeResolvConf(options: ResolvedNetOptions, name: string, text: string): void {
  const dir = join(options.etcNetnsDir, name);
  makeDirectory(dir, 0o755);
  writeFileWhole(join(dir, 'resolv.conf'), text, 0o644);
}

const fileExists = (message: string): boolean => /File exists/.test(message);

/** Puts the host-side veth on the bridge; false when the bridge is missing (then nothing changed). */
async function attachToBridge(options: ResolvedNetOptions, record: Valid<SandboxRecord>): Promise<boolean> {
  const failures = await runIpBatch(options.host.namespace, renderBridgePort(record), {
    keepGoing: false,
    span: 'ip -batch: bridge port',
  });
  const [first] = failures;
  if (first !== undefined && first.line === 1 && isMissingMessage(first.message)) return false;
  checkIpBatch(failures, () => false);
  return true;
}

/** Adds the port forwards to the bridge table's maps; false when the table is missing. */
async function addForwards(options: ResolvedNetOptions, record: Valid<SandboxRecord>): Promise<boolean> {
  if (record.ports.length === 0) return true;
  try {
    await runCommand(inHost(options.host, ['nft', '-f', '-']), {
      input: renderForwardElements(record.table as string, 'add', record.address as string, record.ports),
      span: 'nft -f: add forwards',
    });
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    if (VoltError.isInstance(error) && fileExists(error.message)) {
      throw new VoltError(
        'CONFLICT',
        `a host port of ${record.name} is already forwarded to another sandbox`,
        {
          path: ['network', 'ports'],
          hint: 'volt net status shows the active forwards',
          cause: error,
        },
      );
    }
    throw error;
  }
}

/** The namespace, then one ip batch inside it: the veth pair, loopback, address and routes. */
async function createLinks(
  options: ResolvedNetOptions,
  network: Valid<NetworkConfig>,
  record: Valid<SandboxRecord>,
): Promise<void> {
  await createNamespace(record.name);
  const failures = await runIpBatch(
    record.name,
    renderSandboxLinks(record, planBridge(network), hostNamespace(options)),
    { keepGoing: true, span: 'ip -batch: sandbox links' },
  );
  // The veth pair is there already when this sandbox was set up before; every other line replaces.
  checkIpBatch(failures, (failure) => failure.line === 1 && fileExists(failure.message));
}

/**
 * The network of a private sandbox whose lease is recorded, in strands at once: the namespace, its links
 * and the veth on the bridge; the port forwards (they need only the address); the resolv.conf. When the
 * bridge or its table is missing, {@link bridgeUp} puts them in place and the host-side steps run again.
 */
async function applyPrivate(
  options: SandboxUpOptions,
  resolved: ResolvedNetOptions,
  network: Valid<NetworkConfig>,
  record: Valid<SandboxRecord>,
): Promise<void> {
  const [attached, forwarded] = await allOrFirstError([
    createLinks(resolved, network, record).then(() => attachToBridge(resolved, record)),
    addForwards(resolved, record),
    // After the commands above have started; a failure becomes this strand's, like the others'.
    Promise.resolve().then(() => {
      writeResolvConf(resolved, record.name, renderResolvConf(network));
      return true;
    }),
  ]);
  if (attached && forwarded) return;
  await bridgeUp(network, options);
  const again = await allOrFirstError([attachToBridge(resolved, record), addForwards(resolved, record)]);
  if (again.every(Boolean)) return;
  throw new VoltError(
    'NOT_FOUND',
    `the bridge ${record.bridge as string} or its table ${resolved.table} went missing during the setup`,
    { hint: 'another process tore the bridge down meanwhile; retry' },
  );
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
  const end = startSpan('sandbox up', sandbox);
  try {
    return network.mode === 'none'
      ? await setUpNone(sandbox, options, resolved)
      : await setUpPrivate(sandbox, network, options, resolved);
  } finally {
    end();
  }
}

/** Mode none: the namespace with loopback up, and a record without a lease. */
async function setUpNone(
  sandbox: string,
  options: SandboxUpOptions,
  resolved: ResolvedNetOptions,
): Promise<Valid<SandboxRecord>> {
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
  const existing = readRecord(resolved.stateDir, sandbox);
  if (existing !== null && existing.mode !== 'none') {
    throw new VoltError('CONFLICT', `sandbox ${sandbox} is already set up in mode ${existing.mode}`, {
      path: ['name'],
      hint: `run volt net sandbox down ${sandbox} first`,
    });
  }
  try {
    await createNamespace(sandbox);
    await runCommand(['ip', '-n', sandbox, 'link', 'set', 'lo', 'up'], { span: 'ip link set lo up' });
    await withStateLock(resolved.stateDir, async () => writeRecord(resolved.stateDir, record.value));
  } catch (error) {
    await sandboxDown(sandbox, options);
    throw error;
  }
  return record.value;
}

async function setUpPrivate(
  sandbox: string,
  network: Valid<NetworkConfig>,
  options: SandboxUpOptions,
  resolved: ResolvedNetOptions,
): Promise<Valid<SandboxRecord>> {
  const plan = planBridge(network);
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
    await applyPrivate(options, resolved, network, record);
  } catch (error) {
    await sandboxDown(sandbox, options);
    throw error;
  }
  return record;
}

/**
 * Removes a sandbox's port forwards in one transaction that leaves other sandboxes' alone
 * ({@link renderForwardRemoval}). When it is refused because a port is another's (this sandbox's setup
 * was refused for it, or its forwards were removed by hand), only the elements that map to this sandbox
 * are deleted.
 */
async function removeForwards(
  options: ResolvedNetOptions,
  record: Valid<SandboxRecord> | null,
): Promise<void> {
  if (record === null || record.table === null || record.address === null || record.ports.length === 0)
    return;
  const { table, address } = record;
  try {
    await runCommand(inHost(options.host, ['nft', '-f', '-']), {
      input: renderForwardRemoval(table, address, record.ports),
      span: 'nft -f: remove forwards',
    });
    return;
  } catch (error) {
    // No table: the forwards went with it (bridgeDown with force).
    if (isMissing(error)) return;
    if (!(VoltError.isInstance(error) && fileExists(error.message))) throw error;
  }
  const ours = ((await readForwards(options.host, table)) ?? []).filter(
    (active) =>
      active.address === address &&
      record.ports.some((port) => port.protocol === active.protocol && port.hostPort === active.hostPort),
  );
  if (ours.length === 0) return;
  await runCommand(inHost(options.host, ['nft', '-f', '-']), {
    input: renderForwardElements(table, 'delete', address, ours),
    span: 'nft -f: remove forwards',
  });
}

/** Deletes the host-side veth (the sandbox side goes with it) and the namespace's name; missing ones are fine. */
async function removeLinks(options: ResolvedNetOptions, name: string, veth: string): Promise<void> {
  const failures = await runIpBatch(options.host.namespace, renderSandboxTeardown(name, veth), {
    keepGoing: true,
    span: 'ip -batch: delete veth and netns',
  });
  checkIpBatch(failures, (failure) => isMissingMessage(failure.message));
}

/**
 * Tears down a direct sandbox's network: its port forwards, the veth pair, the namespace, the
 * resolv.conf under /etc/netns (these at once), then the lease. Whatever is already gone is skipped, so
 * it also cleans up after a half-finished setup; when a step fails, the lease stays, so running it again
 * finishes the job. Processes still inside the namespace keep it alive (nameless, without its veth) until
 * they exit.
 *
 * @throws {@link VoltError} `INVALID_MACHINE_NAME` (path `name`), `COMMAND_FAILED` from ip or nft,
 *   `PARSE_ERROR` for a bad record file (before any command).
 * @example
 * ```ts
 * await sandboxDown('web-1');
 * ```
 */
export async function sandboxDown(name: string, options: NetOptions = {}): Promise<void> {
  const sandbox = checkName(name);
  const resolved = unwrap(parseNetOptions(options));
  const end = startSpan('sandbox down', sandbox);
  try {
    const record = readRecord(resolved.stateDir, sandbox);
    const veth = record?.hostInterface ?? sandboxVethName(resolved.vethPrefix, sandbox);
    // Deleting the veth waits for the kernel the longest (an RCU barrier): it goes first.
    await allOrFirstError([
      removeLinks(resolved, sandbox, veth),
      removeForwards(resolved, record),
      rm(join(resolved.etcNetnsDir, sandbox), { recursive: true, force: true }),
    ]);
    await withStateLock(resolved.stateDir, async () => removeRecord(resolved.stateDir, sandbox));
  } finally {
    end();
  }
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
  const record = readRecord(resolved.stateDir, sandbox);
  const exists = existsSync(join(NETNS_DIR, sandbox));
  let interfaces: SandboxStatus['interfaces'] = [];
  if (exists) {
    const { stdout } = await runCommand(['ip', '-n', sandbox, '-json', 'address', 'show'], {
      span: 'ip address show',
    });
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
