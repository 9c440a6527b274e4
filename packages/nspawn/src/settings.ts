import { type UnitFile, type UnitFileEntry, VoltError } from '@volt/core';

/** The three sections a `.nspawn` file may have; nspawn ignores any other section. */
export const NSPAWN_SECTIONS = ['Exec', 'Files', 'Network'] as const;
/** A `.nspawn` section name. */
export type NspawnSection = (typeof NSPAWN_SECTIONS)[number];

/** One setting of a container: a `.nspawn` key in its section, with its value. */
export interface NspawnSetting {
  readonly section: NspawnSection;
  readonly key: string;
  readonly value: string;
}

/** The one command-line option a setting becomes, or none. */
type ArgumentFor = (value: string) => string | undefined;
const flag =
  (name: string): ArgumentFor =>
  (value) =>
    `--${name}=${value}`;
const switchWhenYes =
  (name: string): ArgumentFor =>
  (value) =>
    value === 'yes' ? `--${name}` : undefined;

/**
 * Every `.nspawn` key Volt writes, with the command-line option that says the same thing. The two routes
 * (a `.nspawn` file under the stock unit, or systemd-nspawn run directly) are rendered from one list of
 * settings through this table, so they cannot drift apart. `Parameters=` has no option: it is the
 * trailing command line.
 */
export const NSPAWN_SETTING_ARGUMENTS: Readonly<
  Record<NspawnSection, Readonly<Record<string, ArgumentFor>>>
> = {
  Exec: {
    Boot: switchWhenYes('boot'),
    Parameters: () => undefined,
    Environment: flag('setenv'),
    PrivateUsers: flag('private-users'),
    NoNewPrivileges: flag('no-new-privileges'),
    SystemCallFilter: flag('system-call-filter'),
    Capability: flag('capability'),
    DropCapability: flag('drop-capability'),
    ResolvConf: flag('resolv-conf'),
    KillSignal: flag('kill-signal'),
    Hostname: flag('hostname'),
  },
  Files: {
    ReadOnly: switchWhenYes('read-only'),
    PrivateUsersOwnership: flag('private-users-ownership'),
    Bind: flag('bind'),
    BindReadOnly: flag('bind-ro'),
    TemporaryFileSystem: flag('tmpfs'),
  },
  Network: {
    Private: switchWhenYes('private-network'),
    VirtualEthernet: switchWhenYes('network-veth'),
    Bridge: flag('network-bridge'),
    Zone: flag('network-zone'),
    Port: flag('port'),
  },
};

/** {@link NSPAWN_SETTING_ARGUMENTS} by key (no key is in two sections), with the key's section. */
const ARGUMENT_FOR_KEY: ReadonlyMap<string, { readonly section: string; readonly toArgument: ArgumentFor }> =
  new Map(
    Object.entries(NSPAWN_SETTING_ARGUMENTS).flatMap(([section, table]) =>
      Object.entries(table).map(([key, toArgument]) => [key, { section, toArgument }] as const),
    ),
  );

/**
 * The command-line options for a list of settings, in order, appended to `argv` (a new list by default).
 *
 * @throws {@link VoltError} UNSUPPORTED when a setting has no known option (a bug in the composer).
 * @example
 * ```ts
 * settingsToArguments([{ section: 'Files', key: 'ReadOnly', value: 'yes' }]); // ['--read-only']
 * ```
 */
export function settingsToArguments(settings: readonly NspawnSetting[], argv: string[] = []): string[] {
  for (const setting of settings) {
    const known = ARGUMENT_FOR_KEY.get(setting.key);
    if (known === undefined || known.section !== setting.section) {
      throw new VoltError(
        'UNSUPPORTED',
        `no command-line option is known for [${setting.section}] ${setting.key}=`,
      );
    }
    const argument = known.toArgument(setting.value);
    if (argument !== undefined) argv.push(argument);
  }
  return argv;
}

/**
 * The `.nspawn` file for a list of settings: all three sections, always, so that under the stock unit's
 * `--settings=override` every key the file does not set is visibly left to the unit.
 *
 * @example
 * ```ts
 * settingsToUnitFile([{ section: 'Exec', key: 'Boot', value: 'yes' }]).sections.map((s) => s.name);
 * // ['Exec', 'Files', 'Network']
 * ```
 */
export function settingsToUnitFile(settings: readonly NspawnSetting[]): UnitFile {
  const sections: { readonly name: NspawnSection; readonly entries: UnitFileEntry[] }[] = [];
  for (const name of NSPAWN_SECTIONS) sections.push({ name, entries: [] });
  for (const setting of settings) {
    const section = sections[NSPAWN_SECTIONS.indexOf(setting.section)];
    if (section === undefined)
      throw new VoltError('UNSUPPORTED', `a .nspawn file has no [${String(setting.section)}] section`);
    section.entries.push([setting.key, setting.value]);
  }
  return { sections };
}

/**
 * Appends the `[key, value]` entries of one section, as the domain packages render them, to a list of
 * settings.
 *
 * @example
 * ```ts
 * const settings: NspawnSetting[] = [];
 * pushSection(settings, 'Network', [['Private', 'yes']]); // settings: [{ section: 'Network', key: 'Private', value: 'yes' }]
 * ```
 */
export function pushSection(
  settings: NspawnSetting[],
  section: NspawnSection,
  entries: readonly UnitFileEntry[],
): void {
  for (const [key, value] of entries) settings.push({ section, key, value });
}
