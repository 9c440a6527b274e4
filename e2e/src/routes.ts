import type { CheckRoute } from './checks.js';

/**
 * Whether a route runs its container in the foreground (systemd-nspawn, `volt run`, an OCI runtime or podman as a
 * child of the runner), so that its output and exit code can be observed and it must end by itself;
 * the others start a unit and are stopped by the runner.
 *
 * @example
 * ```ts
 * runsInForeground('oci'); // true
 * runsInForeground('template'); // false
 * ```
 */
export function runsInForeground(route: CheckRoute): boolean {
  return route === 'run' || route === 'volt-run' || route === 'oci' || route === 'kube';
}
