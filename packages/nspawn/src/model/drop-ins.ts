import { WORKLOAD_DROP_IN_NAME } from './paths.js';

/**
 * The unit directories of an image that systemd (system scope, v252) reads drop-ins from at boot, highest
 * priority first. The `/run` ones are not in the image: nspawn mounts an empty tmpfs there, where only
 * Volt's bind and what runs at boot (unit generators) put anything.
 *
 * @example
 * ```ts
 * IMAGE_UNIT_DIRECTORIES.includes('/etc/systemd/system'); // true
 * ```
 */
export const IMAGE_UNIT_DIRECTORIES: readonly string[] = [
  '/etc/systemd/system.control',
  '/etc/systemd/system',
  '/etc/systemd/system.attached',
  '/usr/local/lib/systemd/system',
  '/usr/lib/systemd/system',
  '/lib/systemd/system',
];

/**
 * Whether a drop-in directory's entry could override Volt's workload drop-in: a `.conf` file whose name
 * sorts at or after {@link WORKLOAD_DROP_IN_NAME} byte by byte, as systemd orders drop-ins (a later name
 * wins; the same name in `/etc` replaces Volt's in `/run`). Every drop-in directory counts, not only the
 * workload unit's: a unit is also configured through the directories of its aliases, of its name
 * prefixes (`foo-.service.d`), its template (`foo@.service.d`) and its type (`service.d`).
 *
 * @example
 * ```ts
 * overridesWorkloadDropIn('99-override.conf'); // false: it sorts before zz-volt-landlock.conf
 * overridesWorkloadDropIn('zzz.conf'); // true
 * ```
 */
export function overridesWorkloadDropIn(name: string): boolean {
  return (
    name.endsWith('.conf') &&
    !name.startsWith('.') &&
    Buffer.compare(Buffer.from(name), Buffer.from(WORKLOAD_DROP_IN_NAME)) >= 0
  );
}
