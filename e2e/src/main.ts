// The end-to-end suite's command: builds (or takes from the cache) the VM image, boots it with the
// checks, and prints one PASS/FAIL block per check and `e2e: N passed, M failed`. Exit code 0 only when
// every check ran and passed.
import { copyFile, cp, mkdir, mkdtemp, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatVoltError, VoltError } from '@volt/core';
import { type BenchSpec, type CheckSpec, loadChecks } from './checks.js';
import { runCommand } from './exec.js';
import { ensureBaseImage, ensureNodeLayer, packCpio } from './image.js';
import { createProgress } from './progress.js';
import { VM_IMAGE_RECIPE } from './recipe.js';
import { loadBench, renderCheckPlans } from './render.js';
import {
  type BenchResult,
  type CheckResult,
  formatBench,
  formatCheckResult,
  formatSummary,
  parseConsoleLine,
} from './results.js';
import { bootVm } from './vm.js';

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const argv = process.argv.slice(2);
const { values: flags } = parseArgs({
  // `pnpm test:vm -- --filter x` passes the `--` through
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    'cache-dir': { type: 'string', default: process.env['VOLT_E2E_CACHE'] ?? '/var/cache/volt-e2e' },
    timeout: { type: 'string', default: '600' },
    'lock-timeout': { type: 'string', default: '1800' },
    'lock-file': { type: 'string', default: process.env['VOLT_SYSTEST_LOCK'] ?? '/tmp/volt-systest.lock' },
    rebuild: { type: 'boolean', default: false },
    'build-only': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    filter: { type: 'string' },
    'kernel-arg': { type: 'string', multiple: true, default: [] },
    bench: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const USAGE = `usage: pnpm --filter @volt/e2e test:vm [-- options]
  --cache-dir DIR      image cache (default /var/cache/volt-e2e, or $VOLT_E2E_CACHE)
  --rebuild            build the base image even when the cache has it
  --build-only         build or check the cache, do not boot
  --filter TEXT        run only the checks whose name contains TEXT
  --timeout S          longest VM run once started (default 600)
  --lock-timeout S     longest wait for the system-test lock (default 1800)
  --lock-file PATH     the lock shared with the other system tests (default /tmp/volt-systest.lock)
  --kernel-arg ARG     add a kernel command line argument (repeatable), e.g. systemd.log_level=debug
  --bench              instead of the checks: volt run against plain systemd-nspawn start-up (bench/start.json)
  --keep               keep the console log at CACHE/last-console.log also when everything passed`;

const progress = createProgress();
const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

/** Packages the CLI bundle leaves to Node's resolution (`external` in apps/cli/scripts/bundle.mjs). */
const CLI_EXTERNAL_PACKAGES = ['yaml'] as const;

/**
 * The volt CLI for the volt-run and volt-apply routes: its esbuild bundle, and @volt/landlock's
 * package.json with the helper, which the bundle finds through `import.meta.resolve`.
 */
async function addVoltCli(target: string): Promise<void> {
  const cli = join(packageRoot, '../apps/cli');
  const landlock = join(packageRoot, '../packages/landlock');
  const bundle = join(cli, 'dist/volt.cjs');
  if (
    !(await stat(bundle).then(
      () => true,
      () => false,
    ))
  ) {
    throw new VoltError('NOT_FOUND', `the volt CLI bundle ${relative(process.cwd(), bundle)} is missing`, {
      hint: 'run pnpm run build first',
    });
  }
  await cp(join(cli, 'dist'), join(target, 'dist'), { recursive: true });
  await copyFile(join(cli, 'package.json'), join(target, 'package.json'));
  for (const name of CLI_EXTERNAL_PACKAGES) {
    await cp(await realpath(join(cli, 'node_modules', name)), join(target, 'node_modules', name), {
      recursive: true,
      dereference: true,
    });
  }
  const landlockTarget = join(target, 'node_modules/@volt/landlock');
  await mkdir(join(landlockTarget, 'dist'), { recursive: true });
  await copyFile(join(landlock, 'package.json'), join(landlockTarget, 'package.json'));
  await copyFile(join(landlock, 'dist/volt-landlock'), join(landlockTarget, 'dist/volt-landlock'));
}

async function buildRunLayer(
  runDir: string,
  checks: readonly CheckSpec[] | { readonly bench: BenchSpec },
): Promise<string> {
  const layer = join(runDir, 'layer');
  const target = join(layer, 'opt/vtv-e2e');
  await mkdir(target, { recursive: true });
  await cp(join(packageRoot, 'dist'), join(target, 'dist'), { recursive: true });
  await copyFile(join(packageRoot, 'package.json'), join(target, 'package.json'));
  await writeFile(join(target, 'checks.json'), `${JSON.stringify(checks, null, 2)}\n`);
  await addVoltCli(join(layer, 'opt/volt/cli'));
  await runCommand('chmod', ['-R', 'u=rwX,go=rX', layer]);
  const cpio = join(runDir, 'run.cpio');
  await packCpio(layer, cpio);
  return cpio;
}

async function main(): Promise<number> {
  if (flags.help) {
    print(USAGE);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    throw new VoltError('PERMISSION_DENIED', 'the VM suite builds its image with debootstrap and chroot', {
      hint: 'run it as root (CI does)',
    });
  }
  const benchSpec = flags.bench ? await loadBench(join(packageRoot, 'bench/start.json')) : undefined;
  const allChecks = benchSpec === undefined ? await loadChecks(join(packageRoot, 'checks')) : [];
  const filter = flags.filter;
  const selected =
    filter === undefined ? allChecks : allChecks.filter((check) => check.name.includes(filter));
  const checks = await renderCheckPlans(selected);
  const renderedCount = checks.filter((check) => check.plan.files !== undefined).length;
  progress.stage(
    benchSpec === undefined
      ? `${checks.length} checks from e2e/checks (${renderedCount} plans rendered by @volt/nspawn on the host)`
      : `bench ${benchSpec.name}: ${benchSpec.rounds} rounds`,
  );
  const cacheDir = resolve(flags['cache-dir']);
  await mkdir(cacheDir, { recursive: true });
  const image = await ensureBaseImage(VM_IMAGE_RECIPE, {
    cacheDir,
    overlayDir: join(packageRoot, 'image/overlay'),
    progress,
    rebuild: flags.rebuild,
  });
  const nodeLayer = await ensureNodeLayer(cacheDir, process.execPath);
  progress.stage(`image: node layer ${nodeLayer}`);
  if (flags['build-only']) return 0;

  const runDir = await mkdtemp(join(tmpdir(), 'vtv-e2e-run-'));
  const results = new Map<string, CheckResult>();
  let stopVm: (() => void) | undefined;
  const interrupt = (): void => {
    stopVm?.();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    const runLayer = await buildRunLayer(runDir, benchSpec === undefined ? checks : { bench: benchSpec });
    const initrd = join(runDir, 'initrd.cpio');
    await runCommand('sh', [
      '-c',
      'cat "$1" "$2" "$3" > "$4"',
      'concat',
      image.cpio,
      nodeLayer,
      runLayer,
      initrd,
    ]);
    const logFile = join(runDir, 'console.log');
    progress.stage(
      `vm: waiting for ${flags['lock-file']}, then booting ${image.kernelRelease} (${image.bootProtocol})`,
    );
    let doneUptime: number | undefined;
    let benchResult: BenchResult | undefined;
    let startedMs = 0;
    const vm = bootVm({
      kernel: image.kernel,
      initrd,
      kernelCommandLine: [...VM_IMAGE_RECIPE.kernelCommandLine, ...flags['kernel-arg']],
      memoryMiB: 2048,
      cpus: 2,
      lockFile: flags['lock-file'],
      lockTimeoutMs: Number(flags['lock-timeout']) * 1000,
      timeoutMs: Number(flags.timeout) * 1000,
      logFile,
      onStarted: () => {
        startedMs = progress.elapsedMs();
        progress.stage('vm: started (lock held), kernel booting');
      },
      onLine: (line) => {
        const event = parseConsoleLine(line);
        if (event === undefined) return;
        if (event.kind === 'stage') progress.stage(`vm: ${event.text}`);
        if (event.kind === 'done') doneUptime = event.uptimeSeconds;
        if (event.kind === 'bench') {
          benchResult = event.result;
          print(formatBench(event.result));
        }
        if (event.kind === 'result') {
          results.set(event.result.name, event.result);
          for (const reportLine of formatCheckResult(event.result)) print(reportLine);
        }
      },
    });
    stopVm = vm.stop;
    const outcome = await vm.outcome;
    stopVm = undefined;
    progress.stage(
      `vm: ended after ${(outcome.runMs / 1000).toFixed(1)}s (qemu exit ${outcome.exitCode ?? outcome.signal}${outcome.timedOut === undefined ? '' : `, killed: ${outcome.timedOut} time-out`})`,
    );
    const problems: string[] = [];
    if (outcome.timedOut === 'lock')
      problems.push(`the lock ${flags['lock-file']} was not free within ${flags['lock-timeout']}s`);
    if (outcome.timedOut === 'vm') problems.push(`the VM did not finish within ${flags.timeout}s`);
    if (doneUptime === undefined) problems.push('the runner inside the VM did not report that it finished');
    else
      progress.stage(
        `vm: checks finished at guest uptime ${doneUptime.toFixed(1)}s (vm started at suite +${(startedMs / 1000).toFixed(1)}s)`,
      );
    for (const check of checks) {
      if (!results.has(check.name)) print(`FAIL ${check.name} (not run)`);
    }
    if (problems.length > 0 || flags.keep) {
      const kept = join(cacheDir, 'last-console.log');
      await copyFile(logFile, kept);
      for (const problem of problems) print(`e2e: ${problem}; console log: ${kept}`);
    }
    if (benchSpec !== undefined) {
      if (benchResult === undefined) print('bench: the VM reported no result');
      return benchResult !== undefined && problems.length === 0 ? 0 : 1;
    }
    const passed = checks.filter((check) => results.get(check.name)?.passed === true).length;
    print(formatSummary(passed, checks.length - passed));
    return passed === checks.length && problems.length === 0 && checks.length > 0 ? 0 : 1;
  } finally {
    stopVm?.();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await rm(runDir, { recursive: true, force: true });
  }
}

try {
  process.exitCode = await main();
  progress.stage(`done in ${(progress.elapsedMs() / 1000).toFixed(1)}s`);
} catch (error) {
  print(
    VoltError.isInstance(error) ? `e2e: ${formatVoltError(error)}` : `e2e: ${String((error as Error).stack)}`,
  );
  print(formatSummary(0, 1));
  process.exitCode = 1;
}
