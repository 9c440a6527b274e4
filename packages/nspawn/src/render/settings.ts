import { nspawnSettingsWord, renderSectionedUnitFile, type UnitFileEntry, VoltError } from '@volt/core';
import { NSPAWN_NETWORK_ARGUMENTS } from '@volt/netns';

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

/**
 * The command-line form of a `.nspawn` key: `--OPTION=VALUE` (`value`), `--OPTION` when the value is `yes`
 * and nothing otherwise (`switch`), or no option at all (`none`: `Parameters=` is the trailing command line).
 *
 * @example
 * ```ts
 * const readOnly: SettingArgument = { form: 'switch', option: 'read-only' }; // ReadOnly=yes → --read-only
 * ```
 */
export type SettingArgument =
  | {
      readonly form: 'value' | 'switch';
      readonly option: string;
      /**
       * `word`: the `.nspawn` file reads the value as systemd words (quotes split and join), so it is
       * written as one quoted word there, while the option takes it verbatim.
       */
      readonly file?: 'word';
    }
  | { readonly form: 'none' };

/**
 * Every `.nspawn` key Volt writes, with the command-line option that says the same thing. The two routes
 * (a `.nspawn` file under the stock unit, or systemd-nspawn run directly) are rendered from one list of
 * settings through this table, so they cannot drift apart.
 *
 * @example
 * ```ts
 * NSPAWN_SETTING_ARGUMENTS.Files.BindReadOnly; // { form: 'value', option: 'bind-ro' }: --bind-ro=VALUE
 * ```
 */
export const NSPAWN_SETTING_ARGUMENTS: Readonly<
  Record<NspawnSection, Readonly<Record<string, SettingArgument>>>
> = {
  Exec: {
    Boot: { form: 'switch', option: 'boot' },
    Parameters: { form: 'none' },
    Environment: { form: 'value', option: 'setenv', file: 'word' },
    PrivateUsers: { form: 'value', option: 'private-users' },
    NoNewPrivileges: { form: 'value', option: 'no-new-privileges' },
    SystemCallFilter: { form: 'value', option: 'system-call-filter' },
    Capability: { form: 'value', option: 'capability' },
    DropCapability: { form: 'value', option: 'drop-capability' },
    ResolvConf: { form: 'value', option: 'resolv-conf' },
    KillSignal: { form: 'value', option: 'kill-signal' },
    Hostname: { form: 'value', option: 'hostname' },
  },
  Files: {
    ReadOnly: { form: 'switch', option: 'read-only' },
    PrivateUsersOwnership: { form: 'value', option: 'private-users-ownership' },
    Bind: { form: 'value', option: 'bind' },
    BindReadOnly: { form: 'value', option: 'bind-ro' },
    TemporaryFileSystem: { form: 'value', option: 'tmpfs' },
  },
  // The [Network] keys are @volt/netns's table, which its own renderer and read-back use.
  Network: NSPAWN_NETWORK_ARGUMENTS,
};

/** {@link NSPAWN_SETTING_ARGUMENTS} by key (no key is in two sections): its section, form and option text. */
const ARGUMENT_FOR_KEY: ReadonlyMap<
  string,
  { readonly section: string; readonly form: SettingArgument['form']; readonly text: string }
> = new Map(
  Object.entries(NSPAWN_SETTING_ARGUMENTS).flatMap(([section, table]) =>
    Object.entries(table).map(([key, argument]) => {
      const text =
        argument.form === 'none' ? '' : `--${argument.option}${argument.form === 'value' ? '=' : ''}`;
      return [key, { section, form: argument.form, text }] as const;
    }),
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
  for (let index = 0; index < settings.length; index++) {
    const setting = settings[index] as NspawnSetting;
    const known = ARGUMENT_FOR_KEY.get(setting.key);
    if (known === undefined || known.section !== setting.section) {
      throw new VoltError(
        'UNSUPPORTED',
        `no command-line option is known for [${setting.section}] ${setting.key}=`,
      );
    }
    if (known.form === 'value') argv.push(known.text + setting.value);
    else if (known.form === 'switch' && setting.value === 'yes') argv.push(known.text);
  }
  return argv;
}

/**
 * The `.nspawn` file for a list of settings: all three sections, always, so that under the stock unit's
 * `--settings=override` every key the file does not set is visibly left to the unit. Every value is
 * checked ({@link renderSectionedUnitFile}).
 *
 * @throws {@link VoltError} UNSAFE_STRING for a value that could break the file, or a setting in a section
 *   a `.nspawn` file does not have.
 * @example
 * ```ts
 * renderNspawnFile([{ section: 'Exec', key: 'Boot', value: 'yes' }]); // '[Exec]\nBoot=yes\n\n[Files]\n\n[Network]\n'
 * ```
 */
export function renderNspawnFile(settings: readonly NspawnSetting[], header?: string): string {
  return renderSectionedUnitFile(
    NSPAWN_SECTIONS,
    settings.map((setting) =>
      fileForm(setting) === 'word' ? { ...setting, value: nspawnSettingsWord(setting.value) } : setting,
    ),
    header,
  );
}

function fileForm(setting: NspawnSetting): 'word' | undefined {
  const table: Readonly<Record<string, SettingArgument>> | undefined =
    NSPAWN_SETTING_ARGUMENTS[setting.section];
  const argument = table !== undefined && Object.hasOwn(table, setting.key) ? table[setting.key] : undefined;
  return argument?.form !== 'none' ? argument?.file : undefined;
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
