import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { parseMachineName, type ValidIsolation, VoltError } from '@volt/core';
import { bridgeUp, releaseContainerAddress } from '@volt/netns';
import type { IsolationPlan } from '../render/plan.js';
import { type InstallOptions, removeContainerFiles } from './install.js';

/** How a container is managed: through machinectl (systemd-machined) or systemctl on the template unit. */
export const CONTAINER_MANAGERS = ['machinectl', 'systemctl'] as const;
/** A container manager. */
export type ContainerManager = (typeof CONTAINER_MANAGERS)[number];

/**
 * The unit systemd runs a container as under the stock template.
 *
 * @example
 * ```ts
 * containerUnit('web'); // 'systemd-nspawn@web.service'
 * ```
 */
export function containerUnit(name: string): string {
  return `systemd-nspawn@${name}.service`;
}

/** A command line for a manager action, without running it. */
export interface ManagerCommand {
  readonly argv: readonly string[];
}

function checkedName(name: string): string {
  const result = parseMachineName(name);
  if (!result.ok) throw result.error.at(['name']);
  return result.value;
}

/**
 * The command that starts, stops or shows a container, by manager. Pure.
 *
 * @throws {@link VoltError} INVALID_MACHINE_NAME for a bad name.
 * @example
 * ```ts
 * managerCommand('start', 'web', 'machinectl').argv; // ['machinectl', 'start', 'web']
 * managerCommand('stop', 'web', 'machinectl').argv; // ['systemctl', 'stop', 'systemd-nspawn@web.service']
 * managerCommand('stop', 'web', 'systemctl').argv; // ['systemctl', 'stop', 'systemd-nspawn@web.service']
 * ```
 */
export function managerCommand(
  action: 'start' | 'stop' | 'status',
  name: string,
  manager: ContainerManager,
): ManagerCommand {
  const machine = checkedName(name);
  if (action === 'status') {
    return {
      argv: [
        'systemctl',
        'show',
        containerUnit(machine),
        '--property=ActiveState,SubState,MainPID,ControlGroup,Result,StatusText',
      ],
    };
  }
  // Stopping always goes through the unit: `systemctl stop` is idempotent, whereas `machinectl poweroff`
  // fails once a Boot=no payload has ended and machined has forgotten the machine (seen in the VM suite).
  if (manager === 'machinectl' && action === 'start') return { argv: ['machinectl', 'start', machine] };
  return { argv: ['systemctl', action, containerUnit(machine)] };
}

/** A container's state as systemd reports it. */
export interface ContainerStatus {
  readonly name: string;
  readonly unit: string;
  readonly activeState: string;
  readonly subState: string;
  readonly mainPid: number | null;
  readonly controlGroup: string | null;
  readonly result: string;
  /**
   * What the container's first process reported when it started, if it is the Volt helper (a Boot=no
   * container): how much of the Landlock policy this kernel enforces and what it dropped, host0's address,
   * DNS. The helper, as PID 1, sends it to systemd-nspawn, which makes it the unit's status text; nothing
   * but the container's PID 1 can set it.
   */
  readonly report: string | null;
}

/** How systemd-nspawn 252 passes on the container's `STATUS=`: as the unit's status text, after this. */
const NSPAWN_STATUS_PREFIX = 'Container running: ';

/**
 * Parses `systemctl show --property=…` output into a {@link ContainerStatus}. Pure.
 *
 * @example
 * ```ts
 * parseContainerStatus('web', 'ActiveState=active\nSubState=running\nMainPID=42\n').activeState; // 'active'
 * parseContainerStatus('web', 'StatusText=Container running: Landlock: fully enforced on this kernel (ABI 7, best-effort)\n').report;
 * // 'Landlock: fully enforced on this kernel (ABI 7, best-effort)'
 * ```
 */
export function parseContainerStatus(name: string, output: string): ContainerStatus {
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const equals = line.indexOf('=');
    if (equals > 0) values.set(line.slice(0, equals), line.slice(equals + 1));
  }
  const pid = Number(values.get('MainPID') ?? '0');
  const statusText = values.get('StatusText') ?? '';
  return {
    name,
    unit: containerUnit(name),
    activeState: values.get('ActiveState') ?? 'unknown',
    subState: values.get('SubState') ?? 'unknown',
    mainPid: Number.isInteger(pid) && pid > 0 ? pid : null,
    controlGroup: values.get('ControlGroup') || null,
    result: values.get('Result') ?? 'unknown',
    report: statusText.startsWith(NSPAWN_STATUS_PREFIX)
      ? statusText.slice(NSPAWN_STATUS_PREFIX.length)
      : null,
  };
}

function runManager(command: ManagerCommand): string {
  const [executable, ...args] = command.argv as [string, ...string[]];
  const run = spawnSync(executable, args, { encoding: 'utf8', timeout: 120_000 });
  if (run.error !== undefined) {
    throw new VoltError('COMMAND_FAILED', `${executable} could not be run: ${run.error.message}`, {
      hint: `is ${executable} installed, and is systemd the init system here?`,
      cause: run.error,
    });
  }
  if (run.status !== 0) {
    throw new VoltError(
      'COMMAND_FAILED',
      `${command.argv.join(' ')} failed (exit ${run.status}): ${run.stderr.trim()}`,
    );
  }
  return run.stdout;
}

/**
 * Starts or stops an installed container through machinectl or systemctl.
 *
 * @throws {@link VoltError} COMMAND_FAILED when the manager fails.
 * @example
 * ```ts
 * controlContainer('start', 'web', 'machinectl');
 * ```
 */
export function controlContainer(action: 'start' | 'stop', name: string, manager: ContainerManager): void {
  runManager(managerCommand(action, name, manager));
}

/**
 * The state of a container's unit.
 *
 * @throws {@link VoltError} COMMAND_FAILED when systemctl fails.
 * @example
 * ```ts
 * containerStatus('web').activeState; // 'active'
 * ```
 */
export function containerStatus(name: string): ContainerStatus {
  return parseContainerStatus(name, runManager(managerCommand('status', name, 'systemctl')));
}

/**
 * Runs a container in the foreground with systemd-nspawn directly (the `--property=` route): the plan's
 * command line and environment, the terminal passed through. Resolves with nspawn's exit code. The plan's
 * files (resolv.conf, Landlock helper and policy) must be installed first.
 *
 * @throws {@link VoltError} COMMAND_FAILED when systemd-nspawn cannot be started.
 * @example
 * ```ts
 * const code = await runDirect(plan);
 * ```
 */
export function runDirect(
  plan: IsolationPlan,
  options: { readonly extraArguments?: readonly string[]; readonly stdio?: 'inherit' | 'pipe' } = {},
): Promise<number> {
  const [executable, ...args] = plan.direct.argv as [string, ...string[]];
  const withExtra = [...args.slice(0, 4), ...(options.extraArguments ?? []), ...args.slice(4)];
  return new Promise((resolve, reject) => {
    const child = spawn(executable, withExtra, {
      stdio: options.stdio ?? 'inherit',
      env: { ...process.env, ...plan.direct.environment },
    });
    child.once('error', (error) =>
      reject(
        new VoltError('COMMAND_FAILED', `systemd-nspawn could not be started: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    child.once('exit', (code, signal) =>
      resolve(code ?? 128 + (signal === null ? 0 : constants.signals[signal])),
    );
  });
}

/**
 * Gets the host ready for a container's network: in private mode the Volt bridge must exist (with its
 * nftables forwarding and masquerading) before nspawn attaches the container to it. Idempotent.
 *
 * @example
 * ```ts
 * await prepareHostNetwork(config);
 * ```
 */
export async function prepareHostNetwork(config: Pick<ValidIsolation, 'network'>): Promise<void> {
  if (config.network.mode === 'private') await bridgeUp(config.network);
}

/**
 * Removes a container's installed files and, on a live host, its address lease.
 *
 * @example
 * ```ts
 * await removeContainer('web');
 * ```
 */
export async function removeContainer(name: string, options: InstallOptions = {}): Promise<string[]> {
  const removed = await removeContainerFiles(checkedName(name), options);
  if ((options.root ?? '/') === '/') await releaseContainerAddress(name);
  return removed;
}
