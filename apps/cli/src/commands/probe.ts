import type { Command } from 'commander';
import { painter, printData } from '../output.js';

/**
 * Registers `volt probe`: what this host offers each isolation layer (the README says what each line means
 * for a profile).
 *
 * @example
 * ```ts
 * registerProbeCommands(new Command('volt')); // then: volt probe --json
 * ```
 */
export function registerProbeCommands(program: Command): void {
  program
    .command('probe')
    .description(
      'what this host offers each layer: Landlock ABI, seccomp, cgroup v2, user namespaces, systemd, nftables',
    )
    .option('--json', 'print the facts as JSON')
    .action(async (options: { readonly json?: boolean }) => {
      const { probeHost } = await import('../deps/probe.js');
      const host = await probeHost();
      const paint = painter(process.stdout);
      const good = (ok: boolean, text: string) => paint(ok ? 'green' : 'red', text);
      printData(host, options.json === true, () => {
        const { landlock, seccomp, cgroup, userNamespaces, systemd } = host;
        const rows: [string, string][] = [
          ['kernel', `Linux ${host.kernel}`],
          [
            'landlock',
            'error' in landlock
              ? good(false, `cannot probe: ${landlock.error}`)
              : good(
                  landlock.abi > 0,
                  landlock.abi > 0 ? `ABI ${landlock.abi}, errata ${landlock.errata}` : 'absent (ABI 0)',
                ),
          ],
          [
            'seccomp',
            seccomp.filter
              ? `${good(true, 'filters')}; actions: ${seccomp.actions.join(' ')}`
              : good(false, 'no filters'),
          ],
          [
            'cgroup v2',
            'error' in cgroup
              ? good(false, cgroup.error)
              : `${cgroup.mountPoint} (${cgroup.unified ? 'unified' : 'hybrid: cgroup v1 beside it'}); controllers: ${cgroup.controllers.join(' ') || 'none'}`,
          ],
          [
            'user namespaces',
            `${userNamespaces.max === null ? 'unknown' : good(userNamespaces.max > 0, `at most ${userNamespaces.max}`)}; idmapped mounts: ${paint(userNamespaces.idmappedMounts.supported === 'yes' ? 'green' : 'yellow', userNamespaces.idmappedMounts.supported)} (${userNamespaces.idmappedMounts.detail})`,
          ],
          [
            'systemd',
            `${systemd.version ?? good(false, 'not installed')}; PID 1: ${systemd.pid1 ? good(true, 'systemd') : good(false, `not systemd (${systemd.pid1Name})`)}`,
          ],
          ['systemd-nspawn', host.nspawn.version ?? good(false, 'not installed')],
          ['nftables', host.nftables.version ?? good(false, 'not installed')],
        ];
        const width = Math.max(...rows.map(([name]) => name.length)) + 2;
        return `${rows.map(([name, value]) => `${name.padEnd(width)}${value}`).join('\n')}\n`;
      });
    });
}
