import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { formatVoltError, type IpAddress, parseMachineName, type Valid, VoltError } from '@volt/core';
import type { BridgePlan } from '../model/bridge-plan.js';
import { leasableAddress, pairedIpv6, pickFreeAddress } from '../model/leases.js';
import { parseSandboxRecord, type SandboxDraft, type SandboxRecord } from '../model/sandbox-record.js';
import { makeDirectory, readSmallFile, writeFileWhole } from './files.js';
import { withDirectoryLock } from './lock.js';

/** The state directory and its `sandboxes/` are root's alone: the records name what teardown deletes. */
const STATE_DIR_MODE = 0o700;
const RECORD_MODE = 0o600;
/** A record is a few hundred bytes; anything far larger is not one. */
const RECORD_SIZE_LIMIT = 64 * 1024;

function recordsDir(stateDir: string): string {
  return join(stateDir, 'sandboxes');
}

function recordPath(stateDir: string, name: string): string {
  return join(recordsDir(stateDir), `${name}.json`);
}

/**
 * Runs `action` while holding the network state lock ({@link withDirectoryLock} on `stateDir`, created
 * 0o700 with its `sandboxes/` directory).
 *
 * @throws {@link VoltError} `BUSY` when the lock cannot be had within about 30 s; whatever `action` throws.
 * @example
 * ```ts
 * await withStateLock('/run/volt/net', async () => { ... });
 * ```
 */
export async function withStateLock<T>(stateDir: string, action: () => Promise<T>): Promise<T> {
  makeDirectory(recordsDir(stateDir), STATE_DIR_MODE);
  return withDirectoryLock(stateDir, 'the network state', action, { mode: STATE_DIR_MODE });
}

/** The error for a record file that is not a record: it names the file and every problem. */
function badRecord(file: string, issues: readonly VoltError[], cause?: unknown): VoltError {
  return new VoltError(
    'PARSE_ERROR',
    `the lease record ${file} is not valid: ${issues.map(formatVoltError).join('; ')}`,
    { hint: `remove ${file} after checking that nothing uses it`, cause: cause ?? issues[0] },
  );
}

/**
 * Reads one lease record (a direct sandbox's or a container's), or null when there is none. The record is
 * checked whole ({@link parseSandboxRecord}) before anything uses it.
 *
 * @throws {@link VoltError} `PARSE_ERROR` naming the file when it is not a valid record (or not a regular
 *   file).
 * @example
 * ```ts
 * const record = readRecord('/run/volt/net', 'web-1');
 * ```
 */
export function readRecord(stateDir: string, name: string): Valid<SandboxRecord> | null {
  const file = recordPath(stateDir, name);
  const text = readSmallFile(file, RECORD_SIZE_LIMIT);
  if (text === undefined) return null;
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw badRecord(file, [new VoltError('PARSE_ERROR', 'it is not JSON')], error);
  }
  const record = parseSandboxRecord(input, name);
  if (!record.ok) throw badRecord(file, record.issues);
  return record.value;
}

/**
 * Reads every lease record in the state directory, sorted by name. Synchronous, like
 * {@link readSmallFile}: it runs under the state lock, and its time grows with the number of sandboxes.
 *
 * @throws {@link VoltError} `PARSE_ERROR` naming the first file that is not a valid record.
 * @example
 * ```ts
 * readRecords('/run/volt/net').map((record) => record.address);
 * ```
 */
export function readRecords(stateDir: string): Valid<SandboxRecord>[] {
  let files: string[];
  try {
    files = readdirSync(recordsDir(stateDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const names = files
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      const name = parseMachineName(file.slice(0, -'.json'.length));
      if (!name.ok) throw badRecord(join(recordsDir(stateDir), file), [name.error.at(['name'])]);
      return name.value;
    });
  const records = names.sort().map((name) => readRecord(stateDir, name));
  return records.filter((record): record is Valid<SandboxRecord> => record !== null);
}

/**
 * Writes a record whole, 0o600 ({@link writeFileWhole}); call under the state lock.
 *
 * @example
 * ```ts
 * writeRecord('/run/volt/net', record);
 * ```
 */
export function writeRecord(stateDir: string, record: Valid<SandboxRecord>): void {
  writeFileWhole(recordPath(stateDir, record.name), `${JSON.stringify(record, null, 2)}\n`, RECORD_MODE);
}

/**
 * Removes a record and with it its lease; call under the state lock. Removing a missing record is not an
 * error.
 *
 * @example
 * ```ts
 * removeRecord('/run/volt/net', 'web-1');
 * ```
 */
export function removeRecord(stateDir: string, name: string): void {
  rmSync(recordPath(stateDir, name), { force: true });
}

/** The settings a second setup must repeat to be the same sandbox. */
function sameSettings(record: SandboxDraft): string {
  return JSON.stringify([record.mode, record.bridge, record.table, record.hostInterface, record.ports]);
}

/**
 * Leases an address for a sandbox under the state lock and records it: the sandbox's existing lease when
 * it has one (so setting up twice keeps the address), else the requested address when free, else the
 * lowest free one. Concurrent processes never get the same address. The record written is one
 * {@link parseSandboxRecord} accepts.
 *
 * @throws {@link VoltError} `INVALID_IP_ADDRESS` (path `address`) for a requested address outside the
 *   lease range, `CONFLICT` when it is taken or the sandbox is already set up with other settings
 *   (mode, bridge, table, veth, ports or address), `BUSY` when the subnet is full, `PARSE_ERROR` for a
 *   record file that is not a valid record.
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
): Promise<Valid<SandboxRecord>> {
  return withStateLock(stateDir, async () => {
    const records = readRecords(stateDir);
    const existing = records.find((record) => record.name === draft.name);
    if (existing !== undefined) {
      if (
        sameSettings(existing) !== sameSettings(draft) ||
        (requested !== undefined && requested !== existing.address)
      ) {
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
      const parsed = leasableAddress(plan, requested);
      if (!parsed.ok) throw parsed.error.at(['address']);
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
    const record = parseSandboxRecord(
      {
        ...draft,
        address: address.text,
        prefixLength: plan.subnet.prefixLength,
        address6: pairedIpv6(plan, address)?.text ?? null,
        prefixLength6: plan.subnet6?.prefixLength ?? null,
      },
      draft.name,
    );
    // The draft was built from checked values: a record this refuses would be a bug, never written.
    if (!record.ok) throw record.error;
    writeRecord(stateDir, record.value);
    return record.value;
  });
}
