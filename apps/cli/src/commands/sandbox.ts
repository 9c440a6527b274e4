import { type Command, Option } from 'commander';

/** Options of `volt sandbox run`, as commander parses them. */
interface RunOptions {
  readonly ro: string[];
  readonly rox: string[];
  readonly rw: string[];
  readonly rwx: string[];
  readonly bindTcp: string[];
  readonly connectTcp: string[];
  readonly scope: string[];
  readonly bestEffort?: boolean;
  readonly hard?: boolean;
  readonly ignoreMissing?: boolean;
  readonly profile?: string;
  readonly seccomp?: string;
  readonly json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * Registers `volt sandbox run [policy flags | --profile FILE] [--json] -- CMD ARGS...`: runs a command under
 * a Landlock policy and prints the enforcement status on stderr. Exit code: the command's; 2 for usage and
 * policy errors; 1 when the host cannot enforce what was required. `@volt/landlock` is loaded only when
 * the command runs.
 *
 * @example
 * ```ts
 * registerSandboxCommands(program); // then: volt sandbox run --rox /usr --rw /tmp -- ls /tmp
 * ```
 */
export function registerSandboxCommands(program: Command): void {
  const sandbox = program.command('sandbox').description('Run commands under a Landlock policy.');
  sandbox
    .command('run')
    .description(
      'Run CMD under Landlock: the filesystem is denied except the paths granted; TCP is restricted only when a port flag is given; only the scopes given are applied. Prints the enforcement status on stderr.',
    )
    .argument('<command>', 'the command to run (looked up in PATH)')
    .argument('[args...]', 'its arguments')
    .option(
      '--ro <path>',
      'allow reading files and listing directories beneath PATH (repeatable)',
      collect,
      [],
    )
    .option('--rox <path>', 'allow reading and executing beneath PATH (repeatable)', collect, [])
    .option('--rw <path>', 'allow every filesystem right but execute beneath PATH (repeatable)', collect, [])
    .option('--rwx <path>', 'allow every filesystem right beneath PATH (repeatable)', collect, [])
    .option(
      '--bind-tcp <port>',
      'allow binding this TCP port (repeatable; denies every other port)',
      collect,
      [],
    )
    .option(
      '--connect-tcp <port>',
      'allow connecting to this TCP port (repeatable; denies every other port)',
      collect,
      [],
    )
    .option('--scope <scope>', 'isolate IPC: signal or abstract-unix-socket (repeatable)', collect, [])
    .addOption(
      new Option(
        '--best-effort',
        'enforce what this kernel supports and report the rest (may enforce nothing)',
      ),
    )
    .addOption(
      new Option('--hard', 'fail unless every requested feature is enforced').conflicts('bestEffort'),
    )
    .option('--ignore-missing', 'skip granted paths that do not exist instead of failing')
    .option('--profile <file>', 'read the policy from a landlockconfig JSON document or a Volt profile')
    .option('--seccomp <profile>', 'also load a compiled seccomp filter: strict, default or unconfined')
    .option('--json', 'print the status as JSON on stderr')
    .action(async (command: string, args: string[], options: RunOptions) => {
      const { landlock, VoltError } = await import('../deps/sandbox.js');
      // The probe is kept for the process: the policy and the run below ask again for free.
      const { abi } = await landlock.probeLandlock();
      if (abi === 0 && options.bestEffort !== true) {
        throw new VoltError(
          'UNSUPPORTED',
          'Landlock is not available on this kernel (ABI 0): nothing of the policy could be enforced',
          {
            hint: 'Landlock needs Linux 5.13 or later built with CONFIG_SECURITY_LANDLOCK=y and landlock in the active LSMs (cat /sys/kernel/security/lsm; boot with lsm=landlock,… to add it); --best-effort runs the command unconfined',
          },
        );
      }
      let seccompFilter: Uint8Array | undefined;
      if (options.seccomp !== undefined) {
        const { seccomp, unwrap } = await import('../deps/sandbox-seccomp.js');
        const config = unwrap(seccomp.parseSeccompConfig({ profile: options.seccomp }));
        seccompFilter = seccomp.compileSeccompBpf(config, unwrap(seccomp.seccompArchOfNode(process.arch)));
      }
      const compatibility: 'best-effort' | 'hard-requirement' | undefined =
        options.bestEffort === true ? 'best-effort' : options.hard === true ? 'hard-requirement' : undefined;
      const flags = {
        ro: options.ro,
        rox: options.rox,
        rw: options.rw,
        rwx: options.rwx,
        bindTcp: options.bindTcp,
        connectTcp: options.connectTcp,
        scopes: options.scope,
        ignoreMissing: options.ignoreMissing === true,
        ...(compatibility === undefined ? {} : { compatibility }),
      };
      const policy =
        options.profile === undefined
          ? landlock.sandboxPolicy({ ...flags, abi })
          : landlock.withSandboxFlags(await landlock.readLandlockPolicyFile(options.profile), flags);
      const run = await landlock.runLandlocked(command, args, {
        policy,
        ...(seccompFilter === undefined ? {} : { seccompFilter }),
        fileRights: 'mask',
        onStatus: (status) =>
          process.stderr.write(
            options.json === true ? `${JSON.stringify(status)}\n` : landlock.formatLandlockStatus(status),
          ),
      });
      process.exitCode = landlock.shellExitCode(run);
    });
}
