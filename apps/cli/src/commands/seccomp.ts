import type { Command } from 'commander';

/** Options of `volt seccomp export`. */
interface ExportOptions {
  readonly format: string;
  readonly profile?: string;
  readonly arch?: string;
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
  readonly errno?: string;
  readonly kill?: boolean;
  readonly log?: boolean;
  readonly boot?: boolean;
  readonly output?: string;
}

const collect = (value: string, previous: readonly string[] = []): readonly string[] => [
  ...previous,
  ...value.split(',').filter((entry) => entry !== ''),
];

/**
 * Writes FILE whole: a temp file with a random name (128 bits) in FILE's directory, created with
 * O_CREAT|O_EXCL|O_NOFOLLOW (nothing planted at that name is opened, a symlink neither), then renamed over
 * FILE (rename replaces a symlink at FILE, it never writes through it). A failure leaves no temp file.
 */
async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  // Loaded here, not with the command definitions, which every `volt` command loads.
  const [{ constants }, { open, rename, rm }, { randomBytes }, { basename, dirname, join }] =
    await Promise.all([
      import('node:fs'),
      import('node:fs/promises'),
      import('node:crypto'),
      import('node:path'),
    ]);
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(16).toString('hex')}.tmp`);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  const handle = await open(temporary, flags, 0o644);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Registers `volt seccomp export`: compiles a seccomp profile to a BPF filter, OCI `linux.seccomp` JSON
 * or an nspawn settings fragment. `@volt/seccomp` is loaded only when the command runs.
 *
 * @example
 * ```ts
 * registerSeccompCommands(program); // then: volt seccomp export --format bpf --profile strict -o strict.bpf
 * ```
 */
export function registerSeccompCommands(program: Command): void {
  const seccomp = program.command('seccomp').description('seccomp profiles: export as BPF, OCI or nspawn');
  seccomp
    .command('export')
    .description(
      'export a seccomp profile as a BPF filter (struct sock_filter[]), OCI JSON or nspawn settings',
    )
    .requiredOption('--format <format>', 'bpf, oci or nspawn')
    .option('--profile <profile>', 'strict, default or unconfined (default: default)')
    .option('--arch <arch>', 'x86_64 or aarch64 (default: this host)')
    .option('--allow <names>', 'system calls or @groups to allow (repeat or comma-separate)', collect)
    .option('--deny <names>', 'system calls or @groups to deny (repeat or comma-separate)', collect)
    .option('--errno <errno>', 'deny with this errno, a name (EPERM) or a number (default EPERM)')
    .option('--kill', 'kill the process on a denied call instead of returning an errno')
    .option('--log', 'log denied calls and let them through')
    .option('--boot', 'nspawn: the container boots systemd (Boot=yes)')
    .option('-o, --output <file>', 'write to FILE (atomically) instead of stdout')
    .action(async (options: ExportOptions) => {
      const { core, seccompPackage } = await import('../deps/seccomp.js');
      const chosen = [options.errno !== undefined, options.kill === true, options.log === true].filter(
        Boolean,
      );
      if (chosen.length > 1)
        throw new core.VoltError(
          'USAGE',
          '--errno, --kill and --log exclude each other; accepted: one of them',
        );
      const action = options.kill
        ? 'kill-process'
        : options.log
          ? 'log'
          : options.errno === undefined
            ? undefined
            : { errno: options.errno };
      const config = core.unwrap(
        seccompPackage.parseSeccompConfig(
          Object.fromEntries(
            Object.entries({
              profile: options.profile,
              allow: options.allow,
              deny: options.deny,
              action,
            }).filter(([, value]) => value !== undefined),
          ),
        ),
      );
      const format = core.unwrap(seccompPackage.parseSeccompExportFormat(options.format));
      const arch = core.unwrap(
        options.arch === undefined
          ? seccompPackage.seccompArchOfNode(process.arch)
          : seccompPackage.parseSeccompArch(options.arch),
      );
      let data: Uint8Array | string;
      try {
        data = seccompPackage.exportSeccomp(config, { format, arch, boot: options.boot === true });
      } catch (error) {
        throw core.VoltError.isInstance(error) ? error.at(['seccomp']) : error;
      }
      if (options.output !== undefined) await writeAtomically(options.output, data);
      else if (typeof data !== 'string' && process.stdout.isTTY)
        throw new core.VoltError(
          'USAGE',
          'the bpf format is binary; accepted: -o FILE or a redirected stdout',
        );
      else process.stdout.write(data);
    });
}
