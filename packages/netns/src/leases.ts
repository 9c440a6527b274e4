import { join } from 'node:path';
import {
  type IpAddress,
  ipFromBytes,
  type NetworkMode,
  type PortForward,
  parseIpAddress,
  parseMachineName,
  subnetContains,
  unwrap,
  VoltError,
} from '@volt/core';
import { type BridgePlan, ipv4ToNumber, numberToIpv4 } from './model.js';

/** node:fs/promises, loaded at first use: `volt render` loads this module and never reads a lease. */
const fileSystem = (): Promise<typeof import('node:fs/promises')> => import('node:fs/promises');

/**
 * Where Volt keeps its network state unless told otherwise: in /run, since namespaces end at reboot.
 *
 * @example
 * ```ts
 * resolveNetOptions({}).stateDir === DEFAULT_STATE_DIR; // true
 * ```
 */
export const DEFAULT_STATE_DIR = '/run/volt/net';

/** What Volt remembers about one direct sandbox: its lease and everything its teardown must undo. */
export interface SandboxRecord {
  readonly name: string;
  readonly mode: Exclude<NetworkMode, 'host'>;
  /** The bridge and nftables table the sandbox is attached to (private mode), else null. */
  readonly bridge: string | null;
  readonly table: string | null;
  /** The leased IPv4 address and the bridge subnet's prefix length (private mode), else null. */
  readonly address: string | null;
  readonly prefixLength: number | null;
  readonly address6: string | null;
  readonly prefixLength6: number | null;
  /** The host side of the veth pair (private mode), else null. */
  readonly hostInterface: string | null;
  readonly ports: readonly PortForward[];
}

/**
 * The lowest address in the plan's lease range that is not taken, or undefined when the range is full.
 *
 * @example
 * ```ts
 * const plan = planBridge({ bridge: 'voltbr0', subnet: '10.87.0.0/24' });
 * pickFreeAddress(plan, new Set(['10.87.0.2']))?.text; // '10.87.0.3'
 * ```
 */
export function pickFreeAddress(plan: BridgePlan, taken: ReadonlySet<string>): IpAddress | undefined {
  for (let value = plan.firstLease; value <= plan.lastLease; value++) {
    const candidate = numberToIpv4(value);
    if (!taken.has(candidate.text)) return candidate;
  }
  return undefined;
}

/**
 * The IPv6 address paired with an IPv4 lease: the IPv6 subnet's prefix with the lease's offset inside the
 * IPv4 subnet as its low bits (`10.87.0.2` in `10.87.0.0/16` → `fd87::2` in `fd87::/64`).
 *
 * @example
 * ```ts
 * pairedIpv6(planBridge({ bridge: 'b', subnet: '10.87.0.0/16', subnet6: 'fd87::/64' }), '10.87.1.2')?.text; // 'fd87::102'
 * ```
 */
export function pairedIpv6(plan: BridgePlan, address: string): IpAddress | undefined {
  if (plan.subnet6 === undefined) return undefined;
  const v4 = unwrap(parseIpAddress(address, 4));
  let offset = ipv4ToNumber(v4) - ipv4ToNumber(plan.subnet.address);
  const bytes = [...plan.subnet6.address.bytes];
  for (let index = 15; index >= 12 && offset > 0; index--) {
    bytes[index] = (bytes[index] as number) | (offset & 0xff);
    offset = Math.floor(offset / 256);
  }
  return ipFromBytes(bytes);
}

function recordPath(stateDir: string, name: string): string {
  return join(stateDir, 'sandboxes', `${unwrap(parseMachineName(name))}.json`);
}

/**
 * Runs `action` while holding the lock of a directory (created when missing), which serialises processes
 * on this host: a lock directory `DIR/.lock` (proper-lockfile), taken over when stale after 10 s without
 * refresh. `what` names what is locked, for the error message.
 *
 * @throws {@link VoltError} `BUSY` when the lock cannot be had within about 30 s; whatever `action` throws.
 * @example
 * ```ts
 * await withDirectoryLock('/run/volt/net', 'the network state', async () => { ... });
 * ```
 */
export async function withDirectoryLock<T>(dir: string, what: string, action: () => Promise<T>): Promise<T> {
  const { mkdir } = await fileSystem();
  await mkdir(dir, { recursive: true });
  let release: () => Promise<void>;
  try {
    // Loaded on first use: proper-lockfile patches fs and hooks process signals, which a program that
    // only renders plans should not pay for.
    const { default: lockfile } = await import('proper-lockfile');
    release = await lockfile.lock(dir, {
      lockfilePath: join(dir, '.lock'),
      realpath: false,
      stale: 10_000,
      retries: { retries: 600, factor: 1.2, minTimeout: 5, maxTimeout: 50 },
    });
  } catch (error) {
    throw new VoltError('BUSY', `${what} (${dir}) is locked by another process`, {
      hint: 'retry; a lock left by a killed process is taken over after 10 s',
      cause: error,
    });
  }
  try {
    return await action();
  } finally {
    await release();
  }
}

/**
 * Runs `action` while holding the network state lock ({@link withDirectoryLock} on `stateDir`).
 *
 * @throws {@link VoltError} `BUSY` when the lock cannot be had within about 30 s; whatever `action` throws.
 * @example
 * ```ts
 * await withStateLock('/run/volt/net', async () => { ... });
 * ```
 */
export async function withStateLock<T>(stateDir: string, action: () => Promise<T>): Promise<T> {
  const { mkdir } = await fileSystem();
  await mkdir(join(stateDir, 'sandboxes'), { recursive: true });
  return withDirectoryLock(stateDir, 'the network state', action);
}

/**
 * Reads one sandbox's record, or null when there is none.
 *
 * @throws {@link VoltError} `INVALID_MACHINE_NAME` for a bad name; `PARSE_ERROR` for a corrupt record.
 * @example
 * ```ts
 * const record = await readRecord('/run/volt/net', 'web-1');
 * ```
 */
export async function readRecord(stateDir: string, name: string): Promise<SandboxRecord | null> {
  const { readFile } = await fileSystem();
  let text: string;
  try {
    text = await readFile(recordPath(stateDir, name), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    return JSON.parse(text) as SandboxRecord;
  } catch (error) {
    throw new VoltError('PARSE_ERROR', `the network record of ${name} is corrupt`, {
      hint: `remove ${recordPath(stateDir, name)} after checking nothing uses it`,
      cause: error,
    });
  }
}

/**
 * Reads every sandbox record in the state directory, sorted by name.
 *
 * @example
 * ```ts
 * (await readRecords('/run/volt/net')).map((record) => record.address);
 * ```
 */
export async function readRecords(stateDir: string): Promise<SandboxRecord[]> {
  const { readdir } = await fileSystem();
  let files: string[];
  try {
    files = await readdir(join(stateDir, 'sandboxes'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const names = files.filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -5));
  const records = await Promise.all(names.sort().map((name) => readRecord(stateDir, name)));
  return records.filter((record): record is SandboxRecord => record !== null);
}

/**
 * Writes a record whole (a temporary file renamed over the old one), so no reader sees half of it.
 *
 * @example
 * ```ts
 * await writeRecord('/run/volt/net', record);
 * ```
 */
export async function writeRecord(stateDir: string, record: SandboxRecord): Promise<void> {
  const { rename, writeFile } = await fileSystem();
  const path = recordPath(stateDir, record.name);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, path);
}

/**
 * Removes a sandbox's record and with it its lease. Removing a missing record is not an error.
 *
 * @example
 * ```ts
 * await removeRecord('/run/volt/net', 'web-1');
 * ```
 */
export async function removeRecord(stateDir: string, name: string): Promise<void> {
  const { rm } = await fileSystem();
  await rm(recordPath(stateDir, name), { force: true });
}

/** What a sandbox asks for before it has an address. */
export type SandboxDraft = Omit<SandboxRecord, 'address' | 'prefixLength' | 'address6' | 'prefixLength6'>;

/**
 * Leases an address for a sandbox under the state lock and records it: the sandbox's existing lease when
 * it has one (so setting up twice keeps the address), else the requested address when free, else the
 * lowest free one. Concurrent processes never get the same address.
 *
 * @throws {@link VoltError} `INVALID_IP_ADDRESS` (path `address`) for a requested address outside the
 *   lease range, `CONFLICT` when it is taken or the sandbox is already set up with other settings
 *   (mode, bridge, table, veth, ports or address), `BUSY` when the
 *   subnet is full.
 * @example
 * ```ts
 * const record = await leaseAddress('/run/volt/net', plan, { name: 'web-1', mode: 'private', ... });
 * record.address; // '10.87.0.2'
 * ```
 */
export async function leaseAddress(
  stateDir: string,
  plan: BridgePlan,
  draft: SandboxDraft,
  requested?: string,
): Promise<SandboxRecord> {
  return withStateLock(stateDir, async () => {
    const records = await readRecords(stateDir);
    const existing = records.find((record) => record.name === draft.name);
    if (existing !== undefined) {
      const same = (record: Partial<SandboxRecord>) =>
        JSON.stringify([record.mode, record.bridge, record.table, record.hostInterface, record.ports]);
      if (same(existing) !== same(draft) || (requested !== undefined && requested !== existing.address)) {
        throw new VoltError(
          'CONFLICT',
          `sandbox ${draft.name} is already set up with other settings (mode ${existing.mode}, bridge ${existing.bridge ?? 'none'}, address ${existing.address ?? 'none'}, ${existing.ports.length} port forwards)`,
          { path: ['name'], hint: `run volt net sandbox down ${draft.name} first` },
        );
      }
      return existing;
    }
    const taken = new Set(
      records.filter((record) => record.bridge === plan.bridge).map((record) => record.address ?? ''),
    );
    let address: IpAddress | undefined;
    if (requested !== undefined) {
      const parsed = parseIpAddress(requested, 4);
      if (!parsed.ok) throw parsed.error.at(['address']);
      const value = ipv4ToNumber(parsed.value);
      if (!subnetContains(plan.subnet, parsed.value) || value < plan.firstLease || value > plan.lastLease) {
        throw new VoltError(
          'INVALID_IP_ADDRESS',
          `${parsed.value.text} is not leasable in ${plan.subnet.text}; accepted: ${numberToIpv4(plan.firstLease).text} to ${numberToIpv4(plan.lastLease).text} (the gateway is ${plan.gateway.text})`,
          { path: ['address'] },
        );
      }
      if (taken.has(parsed.value.text)) {
        throw new VoltError('CONFLICT', `${parsed.value.text} is leased to another sandbox`, {
          path: ['address'],
        });
      }
      address = parsed.value;
    } else {
      address = pickFreeAddress(plan, taken);
    }
    if (address === undefined) {
      throw new VoltError('BUSY', `every address of ${plan.subnet.text} is leased`, {
        hint: 'tear down unused sandboxes or use a larger subnet',
      });
    }
    const address6 = pairedIpv6(plan, address.text);
    const record: SandboxRecord = {
      ...draft,
      address: address.text,
      prefixLength: plan.subnet.prefixLength,
      address6: address6?.text ?? null,
      prefixLength6: plan.subnet6?.prefixLength ?? null,
    };
    await writeRecord(stateDir, record);
    return record;
  });
}
