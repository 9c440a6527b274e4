import type { Command } from 'commander';
import { printData, suggestingValidate } from '../output.js';
import { renderForTarget, type TargetOptions, wantsOtherTarget } from './render-targets.js';

interface RenderOptions extends TargetOptions {
  readonly name?: string;
  readonly rootfs?: string;
  readonly profile?: string;
  readonly network?: string;
  readonly bridge?: string;
  readonly port?: readonly string[];
  readonly dns?: readonly string[];
  readonly memoryMax?: string;
  readonly memoryHigh?: string;
  readonly cpuWeight?: string;
  readonly cpus?: string;
  readonly ioWeight?: string;
  readonly tasksMax?: string;
  readonly seccomp?: string;
  readonly landlock?: string;
  readonly workloadUnit?: string;
  readonly privateUsers?: boolean;
  readonly readOnly?: boolean;
  readonly boot?: boolean;
  readonly json?: boolean;
  readonly only?: string;
  readonly explainMerge?: boolean;
}

const collect = (value: string, previous: readonly string[] = []): readonly string[] => [...previous, value];

/** Flag values as a profile document, so that the profile schema validates them like a file. */
function flagsAsProfile(options: RenderOptions, command: readonly string[]): Record<string, unknown> {
  const defined = (entries: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
  const section = (entries: Record<string, unknown>) => {
    const value = defined(entries);
    return Object.keys(value).length > 0 ? value : undefined;
  };
  return defined({
    name: options.name,
    rootfs: options.rootfs,
    boot: options.boot,
    command: command.length > 0 ? command : undefined,
    landlock: options.landlock,
    workloadUnit: options.workloadUnit,
    seccomp: options.seccomp,
    privateUsers: options.privateUsers,
    readOnlyRoot: options.readOnly,
    network: section({
      mode: options.network,
      bridge: options.bridge,
      ports: options.port,
      dns: options.dns,
    }),
    resources: section({
      memory: section({ max: options.memoryMax, high: options.memoryHigh }),
      cpu: section({ weight: options.cpuWeight, allowedCpus: options.cpus }),
      io: section({ weight: options.ioWeight }),
      tasks: section({ max: options.tasksMax }),
    }),
  });
}

/**
 * Registers `volt render`: prints the whole isolation plan of one container.
 *
 * @example
 * ```ts
 * registerRenderCommands(new Command('volt'));
 * ```
 */
export function registerRenderCommands(program: Command): void {
  program
    .command('render')
    .description(
      'print the complete isolation plan for one container (both routes, every file, what is enforced)',
    )
    .argument('[command...]', 'the command to run (Boot=no) or the workload command (with --workload-unit)')
    .option('-n, --name <name>', 'container (machine) name; default: demo, or the profile name')
    .option('-D, --rootfs <dir>', 'root directory of the container (default /var/lib/machines/NAME)')
    .option('-p, --profile <file>', 'a profile file (YAML or JSON)')
    .option('--network <mode>', 'private, host or none')
    .option('--bridge <name>', 'host bridge for private networking')
    .option('--port <spec>', 'port forward [tcp|udp:]HOST[:CONTAINER] (repeatable)', collect)
    .option('--dns <ip>', 'DNS server (repeatable)', collect)
    .option('--memory-max <size>', 'hard memory limit, e.g. 2G')
    .option('--memory-high <size>', 'memory throttling limit, e.g. 1G')
    .option('--cpu-weight <n>', 'CPU weight 1..10000 or idle')
    .option('--cpus <list>', 'CPUs to pin to, e.g. 0-3,5')
    .option('--io-weight <n>', 'IO weight 1..10000')
    .option('--tasks-max <n>', 'task limit: a number, a percentage or infinity')
    .option('--seccomp <profile>', 'strict, default or unconfined')
    .option('--landlock <preset>', 'server, desktop or none')
    .option('--workload-unit <unit>', 'Boot=yes: the unit whose ExecStart (the command) runs under Landlock')
    .option('--private-users', 'run in a private user namespace')
    .option('--no-private-users', 'share the host user namespace')
    .option('--read-only', 'mount the root directory read-only')
    .option('--boot', 'boot the container init (Boot=yes)')
    .option('--no-boot', 'run the command directly (Boot=no)')
    .option('--json', 'print the plan as JSON (with `merge`: where each value came from)')
    .option(
      '--explain-merge',
      'print where each value came from (default, yielded default, preset@version, file, flags) instead of the plan',
    )
    .option('--only <artifact>', 'print one artifact: args, nspawn, dropin, resolv, files or enforcement')
    .option('--format <format>', 'nspawn (the plan, default), oci (an OCI runtime bundle) or kubernetes')
    .option('--kind <kind>', 'with --format kubernetes: pod (default) or deployment')
    .option('--image <ref>', 'with --format kubernetes: the image (it runs the command, holds the helper)')
    .option('--target <targets>', 'with --only enforcement: nspawn, oci, kubernetes (comma-separated) or all')
    .option('--landlock-abi <n>', 'oci, kubernetes: the Landlock ABI of the kernels (default: this host)')
    .option('-o, --output <dir>', 'oci: write a runnable bundle to DIR; kubernetes: the manifests and files')
    .action(async (command: string[], options: RenderOptions) => {
      const {
        formatMergeReport,
        formatPlan,
        formatPlanArtifact,
        formatYieldedDefaults,
        isolationFromLayers,
        planTargetFor,
        planToJson,
        readProfileLayers,
        renderPlan,
      } = await import('../deps/render.js');
      const flags = flagsAsProfile(options, command);
      const layers = [
        ...(options.profile === undefined ? [] : await readProfileLayers(options.profile)),
        ...(Object.keys(flags).length === 0 ? [] : [{ source: { kind: 'flags' } as const, document: flags }]),
      ];
      if (options.explainMerge === true) {
        const { merge } = isolationFromLayers(layers);
        printData(merge, options.json === true, () => formatMergeReport(merge));
        return;
      }
      if (wantsOtherTarget(options) || (options.only === 'enforcement' && options.format !== undefined)) {
        await renderForTarget(layers, options);
        return;
      }
      const compose = async () => isolationFromLayers(layers);
      const { isolation, merge } =
        options.profile === undefined ? await compose() : await suggestingValidate(options.profile, compose);
      const plan = renderPlan(isolation, await planTargetFor(isolation));
      if (options.only !== undefined) {
        process.stdout.write(formatPlanArtifact(plan, options.only, options.json === true));
        return;
      }
      printData({ ...planToJson(plan), merge }, options.json === true, () =>
        merge.yielded.length === 0
          ? formatPlan(plan)
          : `${formatPlan(plan)}\n## Defaults that gave way (volt render --explain-merge: every value's source)\n\n${formatYieldedDefaults(merge.yielded)}`,
      );
    });
}
