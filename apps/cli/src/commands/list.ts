import type { Command } from 'commander';
import { painter, printData } from '../output.js';

/**
 * Registers `volt list`: the containers Volt installed, with their route, unit state and drift.
 *
 * @example
 * ```ts
 * registerListCommands(new Command('volt')); // then: volt list --json
 * ```
 */
export function registerListCommands(program: Command): void {
  program
    .command('list')
    .description(
      'the containers Volt installed: route, unit state, and drift (do the installed files still match what the profile renders?)',
    )
    .option('--root <dir>', 'list what was installed under this directory (image building)')
    .option('--json', 'print the list as JSON')
    .action(async (options: { readonly root?: string; readonly json?: boolean }) => {
      const { listContainers } = await import('../deps/list.js');
      const containers = await listContainers(options.root === undefined ? {} : { root: options.root });
      const paint = painter(process.stdout);
      printData(containers, options.json === true, () => {
        if (containers.length === 0) return 'no containers installed by Volt\n';
        const rows = containers.map((container) => [
          container.name,
          container.route ?? 'unknown',
          container.state,
          container.drift.state === 'in-sync' ? 'in sync' : container.drift.state,
        ]);
        const widths = [0, 1, 2].map(
          (column) =>
            Math.max(...[['NAME', 'ROUTE', 'STATE'], ...rows].map((row) => (row[column] ?? '').length)) + 2,
        );
        const line = (cells: readonly string[], drift: string) =>
          `${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('')}${drift}`;
        const driftStyle = { 'in-sync': 'green', drifted: 'yellow', unknown: 'red' } as const;
        return `${[
          line(['NAME', 'ROUTE', 'STATE'], 'DRIFT'),
          ...containers.flatMap((container, index) => [
            line(
              (rows[index] ?? []).slice(0, 3),
              paint(driftStyle[container.drift.state], rows[index]?.[3] ?? ''),
            ),
            ...container.drift.changes.map((change) => `  ${change}`),
            ...(container.drift.reason === undefined ? [] : [`  ${paint('dim', container.drift.reason)}`]),
          ]),
        ].join('\n')}\n`;
      });
    });
}
