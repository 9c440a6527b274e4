import type { NetworkMode } from '@volt/core';

/** One `key=value` line of a `.nspawn` section, in order. */
export type SettingsEntry = readonly [key: string, value: string];

/**
 * Every `[Network]` key of a `.nspawn` file Volt writes, in the order it writes them.
 *
 * @example
 * ```ts
 * NSPAWN_NETWORK_KEYS.includes('Zone'); // false: a key Volt never writes
 * ```
 */
export const NSPAWN_NETWORK_KEYS = ['Private', 'VirtualEthernet', 'Bridge', 'Port'] as const;

/** A `[Network]` key Volt writes. */
export type NspawnNetworkKey = (typeof NSPAWN_NETWORK_KEYS)[number];

/**
 * The command-line form of a `.nspawn` key: `--OPTION=VALUE` (`value`), or `--OPTION` when the value is
 * `yes` and nothing otherwise (`switch`). The shape of `@volt/nspawn`'s `NSPAWN_SETTING_ARGUMENTS`.
 */
export interface NspawnNetworkArgument {
  readonly form: 'value' | 'switch';
  readonly option: string;
}

/**
 * Each `[Network]` key Volt writes with the systemd-nspawn option that says the same on the command line:
 * the direct route's arguments are derived from the `.nspawn` entries through this table.
 *
 * @example
 * ```ts
 * NSPAWN_NETWORK_ARGUMENTS.Bridge; // { form: 'value', option: 'network-bridge' }: --network-bridge=BR
 * ```
 */
export const NSPAWN_NETWORK_ARGUMENTS: Readonly<Record<NspawnNetworkKey, NspawnNetworkArgument>> = {
  Private: { form: 'switch', option: 'private-network' },
  VirtualEthernet: { form: 'switch', option: 'network-veth' },
  Bridge: { form: 'value', option: 'network-bridge' },
  Port: { form: 'value', option: 'port' },
};

/** How one network mode is said in a `.nspawn` file's `[Network]` section. */
export interface NspawnModeSettings {
  readonly Private: 'yes' | 'no';
  readonly VirtualEthernet: 'yes' | 'no';
  /** `Bridge=` and one `Port=` per forward follow (private mode only). */
  readonly bridged: boolean;
}

/**
 * Each network mode as `[Network]` entries. Every mode states `Private=` and `VirtualEthernet=`: the stock
 * `systemd-nspawn@.service` passes `--network-veth`, and once a trusted `.nspawn` file sets any network key
 * nspawn takes all network settings from the file, so an empty section would leave the unit's veth in
 * place. The renderer writes these entries and the read-back recognises the mode by them.
 *
 * @example
 * ```ts
 * NSPAWN_NETWORK_MODES.none; // { Private: 'yes', VirtualEthernet: 'no', bridged: false }
 * ```
 */
export const NSPAWN_NETWORK_MODES: Readonly<Record<NetworkMode, NspawnModeSettings>> = {
  private: { Private: 'yes', VirtualEthernet: 'yes', bridged: true },
  none: { Private: 'yes', VirtualEthernet: 'no', bridged: false },
  host: { Private: 'no', VirtualEthernet: 'no', bridged: false },
};

const IFNAMSIZ_MAX = 15;

/**
 * The host-side interface name nspawn gives a private container's veth: `vb-NAME` with a bridge
 * (`--network-bridge`, `Bridge=`), or null when that is over the kernel's 15 bytes: nspawn then shortens
 * the name itself (by naming scheme: a cut or a hash), which Volt does not predict.
 *
 * @example
 * ```ts
 * nspawnHostInterface('web-1'); // 'vb-web-1'
 * nspawnHostInterface('a-very-long-machine'); // null
 * ```
 */
export function nspawnHostInterface(machineName: string): string | null {
  const name = `vb-${machineName}`;
  return Buffer.byteLength(name) <= IFNAMSIZ_MAX ? name : null;
}
