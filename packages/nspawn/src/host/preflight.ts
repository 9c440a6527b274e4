import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { VoltError } from '@volt/core';
import { systemdIsPid1 } from './probe.js';

/**
 * Refuses to go on unless this process runs as root: what installing a container, starting one and running
 * systemd-nspawn need.
 *
 * @throws {@link VoltError} PERMISSION_DENIED naming what needs root, with a hint.
 * @example
 * ```ts
 * requireRoot('volt apply'); // throws for an ordinary user
 * ```
 */
export function requireRoot(what: string): void {
  if (process.getuid?.() === 0) return;
  throw new VoltError(
    'PERMISSION_DENIED',
    `${what} needs root: it writes under /etc and /var/lib and runs systemd-nspawn`,
    {
      hint: `run it as root (sudo ${what} …); volt validate, explain, render, probe and apply --dry-run do not need root`,
    },
  );
}

/**
 * Refuses to go on unless systemd is PID 1 ({@link systemdIsPid1}): machinectl and systemctl start and stop
 * units, and systemd-nspawn registers its machine with systemd-machined.
 *
 * @throws {@link VoltError} UNSUPPORTED naming what needs systemd, with a hint.
 * @example
 * ```ts
 * requireSystemdPid1('volt start'); // throws in a container or on a host with another init
 * ```
 */
export function requireSystemdPid1(what: string): void {
  if (systemdIsPid1()) return;
  throw new VoltError('UNSUPPORTED', `${what} needs systemd as the init system (PID 1), and it is not here`, {
    hint: 'on a host without systemd, volt sandbox run runs a command under Landlock and seccomp; volt probe shows what this host has',
  });
}

/**
 * The path of an executable found in `PATH`, or undefined.
 *
 * @example
 * ```ts
 * findExecutable('systemd-nspawn'); // '/usr/bin/systemd-nspawn'
 * ```
 */
export function findExecutable(name: string, path: string = process.env['PATH'] ?? ''): string | undefined {
  for (const directory of path.split(delimiter)) {
    if (directory === '') continue;
    const candidate = join(directory, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Refuses to go on unless systemd-nspawn is installed (in `PATH`).
 *
 * @throws {@link VoltError} NOT_FOUND with the Debian package to install.
 * @example
 * ```ts
 * requireNspawn(); // throws where systemd-container is not installed
 * ```
 */
export function requireNspawn(): void {
  if (findExecutable('systemd-nspawn') !== undefined) return;
  throw new VoltError('NOT_FOUND', 'systemd-nspawn is not installed (not found in PATH)', {
    hint: 'install it: apt-get install systemd-container (Debian, Ubuntu), dnf install systemd-container (Fedora)',
  });
}
