import { VoltError } from '@volt/core';
import type { Command } from 'commander';
import { printData } from '../output.js';

/** Options of `volt cgroup stats`. */
interface StatsOptions {
  readonly json?: boolean;
  readonly watch?: string | boolean;
  readonly count?: string;
}

function positiveNumber(text: string, option: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new VoltError('USAGE', `${option} ${JSON.stringify(text)} is not a positive number`, {
      path: [option],
    });
  return value;
}

/**
 * Registers `volt cgroup …`: `volt cgroup stats PATH [--json] [--watch [SECONDS]] [--count N]`.
 * The package is loaded only when the command runs.
 *
 * @example
 * ```ts
 * registerCgroupCommands(program); // then: volt cgroup stats vtc-web --watch 2
 * ```
 */
export function registerCgroupCommands(program: Command): void {
  const cgroup = program.command('cgroup').description('Inspect cgroup v2 groups.');
  cgroup
    .command('stats')
    .description(
      'Print live statistics of a cgroup v2 group (PATH: a directory below the cgroup2 mount, or a name relative to it). Files whose controller is not enabled are shown as absent.',
    )
    .argument('<path>', 'the group')
    .option('--json', 'print JSON')
    .option('--watch [seconds]', 'print again every SECONDS (default 1) until Ctrl-C')
    .option('--count <n>', 'with --watch: stop after N samples')
    .action(async (path: string, options: StatsOptions) => {
      const { formatCgroupStats, readCgroupStats, resolveCgroupDirectory, watchCgroupStats } = await import(
        '../deps/cgroup.js'
      );
      const directory = await resolveCgroupDirectory(path);
      const print = (stats: Awaited<ReturnType<typeof readCgroupStats>>) =>
        printData(stats, options.json === true, () => formatCgroupStats(stats));
      if (options.watch === undefined || options.watch === false) {
        print(await readCgroupStats(directory));
        return;
      }
      const seconds = options.watch === true ? 1 : positiveNumber(options.watch, '--watch');
      const count = options.count === undefined ? undefined : positiveNumber(options.count, '--count');
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      try {
        for await (const stats of watchCgroupStats(directory, {
          intervalMs: seconds * 1000,
          signal: controller.signal,
          ...(count === undefined ? {} : { count }),
        }))
          print(stats);
      } finally {
        process.removeListener('SIGINT', stop);
      }
    });
}
