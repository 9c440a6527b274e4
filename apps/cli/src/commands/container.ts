import type { Command } from 'commander';
import { painter, printData, STATUS_STYLES, suggestingValidate, withProgress } from '../output.js';

interface ApplyOptions {
  readonly dryRun?: boolean;
  readonly root?: string;
  readonly json?: boolean;
}

/**
 * Registers the container lifecycle: `volt apply`, `volt remove`, `volt start`, `volt stop`, `volt status`
 * and `volt run`.
 *
 * @example
 * ```ts
 * registerContainerCommands(new Command('volt'));
 * ```
 */
export function registerContainerCommands(program: Command): void {
  program
    .command('apply')
    .description(
      'install a container: its .nspawn file, service drop-in, DNS and Landlock files (shows the diff first)',
    )
    .argument('<profile>', 'profile file (YAML or JSON)')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--root <dir>', 'install under this directory (image building)')
    .option('--json', 'print the changes as JSON')
    .action(async (profile: string, options: ApplyOptions) => {
      const { applyPlan, planChanges, readProfileFile, renderPlanFromLayers, requireRoot } = await import(
        '../deps/container.js'
      );
      const { layers, origin } = await readProfileFile(profile);
      if (options.dryRun !== true && options.root === undefined) requireRoot('volt apply');
      const plan = await suggestingValidate(profile, () =>
        renderPlanFromLayers(layers, {
          leaseAddress: options.dryRun !== true && options.root === undefined,
        }),
      );
      const install = options.root === undefined ? {} : { root: options.root };
      const changes =
        options.dryRun === true
          ? await planChanges(plan, install)
          : await withProgress(`installing ${plan.files.length} files for ${plan.config.name}`, () =>
              applyPlan(plan, { ...install, ...(origin === null ? {} : { profile: origin }) }),
            );
      printData(changes, options.json === true, () =>
        changes
          .map((change) => `${change.action.padEnd(9)} ${change.path}\n${change.diff}`)
          .join('')
          .concat(options.dryRun === true ? '(dry run: nothing was changed)\n' : ''),
      );
    });

  program
    .command('remove')
    .description('remove every file Volt installed for a container')
    .argument('<name>', 'container name')
    .option('--root <dir>', 'remove under this directory')
    .option('--json', 'print the removed files as JSON')
    .action(async (name: string, options: ApplyOptions) => {
      const { removeContainer, requireRoot } = await import('../deps/container.js');
      if (options.root === undefined) requireRoot('volt remove');
      const removed = await removeContainer(name, options.root === undefined ? {} : { root: options.root });
      printData(removed, options.json === true, () => removed.map((path) => `removed   ${path}\n`).join(''));
    });

  for (const action of ['start', 'stop'] as const) {
    program
      .command(action)
      .description(`${action} an installed container through machinectl or systemctl`)
      .argument('<name>', 'container name')
      .option('--manager <manager>', 'machinectl or systemctl', 'machinectl')
      .action(async (name: string, options: { readonly manager: string }) => {
        const {
          controlContainer,
          CONTAINER_MANAGERS,
          prepareHostNetwork,
          readInstalledContainer,
          requireNspawn,
          requireRoot,
          requireSystemdPid1,
          VoltError,
        } = await import('../deps/container.js');
        const manager = CONTAINER_MANAGERS.find((candidate) => candidate === options.manager);
        if (manager === undefined) {
          throw new VoltError(
            'USAGE',
            `--manager ${options.manager}: accepted: ${CONTAINER_MANAGERS.join(', ')}`,
          );
        }
        if (action === 'start') requireNspawn();
        requireSystemdPid1(`volt ${action}`);
        requireRoot(`volt ${action}`);
        if (action === 'start') {
          const config = await readInstalledContainer(name);
          if (config.network.mode === 'private') {
            await withProgress(`bringing up the bridge ${config.network.bridge}`, () =>
              prepareHostNetwork(config),
            );
          }
        }
        await withProgress(`${action === 'start' ? 'starting' : 'stopping'} ${name}`, () =>
          controlContainer(action, name, manager),
        );
      });
  }

  program
    .command('status')
    .description(
      "show a container's unit state, and what its first process reported (Landlock on this kernel, host0)",
    )
    .argument('<name>', 'container name')
    .option('--json', 'print as JSON')
    .action(async (name: string, options: { readonly json?: boolean }) => {
      const { containerStatus, requireSystemdPid1 } = await import('../deps/container.js');
      requireSystemdPid1('volt status');
      const status = containerStatus(name);
      printData(
        status,
        options.json === true,
        () =>
          `${status.unit}: ${status.activeState} (${status.subState}), main PID ${status.mainPid ?? '-'}\n${status.report === null ? '' : `${status.report}\n`}`,
      );
    });

  program
    .command('run')
    .description(
      'install the files a container needs and run it with systemd-nspawn directly (--property= route)',
    )
    .argument('<profile>', 'profile file (YAML or JSON)')
    .addHelpText(
      'after',
      '\nBefore it starts the container it prints, on stderr, what each layer enforces on this host.\nIt needs root and systemd as PID 1; without systemd, volt sandbox run runs a command under Landlock and seccomp.\n',
    )
    .action(async (profile: string) => {
      const deps = await import('../deps/container.js');
      const { layers, origin } = await deps.readProfileFile(profile);
      const plan = await suggestingValidate(profile, () => deps.renderPlanFromLayers(layers));
      deps.requireNspawn();
      deps.requireSystemdPid1('volt run');
      deps.requireRoot('volt run');
      const paint = painter(process.stderr);
      process.stderr.write(
        `${paint('bold', plan.config.name)}: what each layer enforces on this host\n${deps.formatEnforcementTable(plan.enforcement, (status, text) => paint(STATUS_STYLES[status], text))}\n`,
      );
      await withProgress(`installing ${plan.files.length} files for ${plan.config.name}`, () =>
        deps.applyPlan(plan, { route: 'direct', ...(origin === null ? {} : { profile: origin }) }),
      );
      process.exitCode = await deps.runDirect(plan);
    });
}
