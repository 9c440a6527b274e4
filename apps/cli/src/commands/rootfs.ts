import type { Command } from 'commander';
import { printData } from '../output.js';

/**
 * Registers `volt rootfs busybox DIR`: a tiny container root from the host's busybox-static, for a first
 * container (`examples/hello.yaml`).
 *
 * @example
 * ```ts
 * registerRootfsCommands(new Command('volt')); // then: volt rootfs busybox /var/lib/machines/hello
 * ```
 */
export function registerRootfsCommands(program: Command): void {
  const rootfs = program.command('rootfs').description('make a container root directory');
  rootfs
    .command('busybox')
    .description(
      "a tiny root from the host's statically linked busybox (apt-get install busybox-static): enough for systemd-nspawn, read-only roots included",
    )
    .argument('<dir>', 'a new or empty directory, not a host system tree (e.g. /var/lib/machines/hello)')
    .option('--json', 'print what was made as JSON')
    .action(async (directory: string, options: { readonly json?: boolean }) => {
      const { createBusyboxRootfs } = await import('../deps/rootfs.js');
      const made = await createBusyboxRootfs(directory);
      printData(
        made,
        options.json === true,
        () => `made ${made.directory}: ${made.busybox} and ${made.applets} applets\n`,
      );
    });
}
