// The public API of @volt/netns, by layer. Anything not listed here is internal.

// Model: the configuration, its defaults and parsers, the nspawn settings table, read-backs.
export type { NetworkConfig, NetworkMode, PortForward } from '@volt/core';
// Host: effects (root): the bridge, direct sandboxes, container leases, and the directory lock.
export { bridgeDown, bridgeStatus, bridgeUp } from './host/bridge.js';
export { leaseContainerAddress, releaseContainerAddress } from './host/container.js';
export type { DirectoryLockOptions } from './host/lock.js';
export { withDirectoryLock } from './host/lock.js';
export type { SandboxUpOptions } from './host/sandbox.js';
export { sandboxDown, sandboxStatus, sandboxUp } from './host/sandbox.js';
export type { TraceSpan } from './host/trace.js';
export { startSpan, TRACE_CHANNEL } from './host/trace.js';
export type { BridgeConfig, BridgePlan } from './model/bridge-plan.js';
export { planBridge } from './model/bridge-plan.js';
export {
  DEFAULT_BRIDGE,
  DEFAULT_DNS_SERVERS,
  DEFAULT_NETWORK_CONFIG,
  DEFAULT_SUBNET,
  MAX_DNS_SERVERS,
  MAX_SEARCH_DOMAINS,
  networkConfigFromProfile,
  parseNetworkConfig,
} from './model/config.js';
export type { ContainerLease } from './model/leases.js';
export { parseContainerLease } from './model/leases.js';
export type {
  NspawnModeSettings,
  NspawnNetworkArgument,
  NspawnNetworkKey,
  SettingsEntry,
} from './model/nspawn-settings.js';
export {
  NSPAWN_NETWORK_ARGUMENTS,
  NSPAWN_NETWORK_KEYS,
  NSPAWN_NETWORK_MODES,
} from './model/nspawn-settings.js';
export type { HostContext, NetOptions } from './model/options.js';
export { DEFAULT_NFT_TABLE, DEFAULT_STATE_DIR } from './model/options.js';
export type { ContainerNetworkSubnets, InstalledNetworkFiles } from './model/read-back.js';
export { networkConfigFromInstalled, parseContainerNetworkFile } from './model/read-back.js';
export type { SandboxRecord } from './model/sandbox-record.js';
export type { ActiveForward, BridgeStatus, SandboxStatus } from './model/status.js';
// Render: pure functions from validated values to text and arguments.
export { SANDBOX_INTERFACE } from './render/ip.js';
export { CONTAINER_NETWORK_FILE, renderContainerNetworkFile } from './render/networkd.js';
export type { NspawnDns, NspawnNetwork } from './render/nspawn.js';
export { nspawnNetworkSection, renderNspawnDns, renderNspawnNetwork } from './render/nspawn.js';
export { renderResolvConf } from './render/resolv-conf.js';
export { formatBridgeStatus, formatSandboxStatus } from './render/status.js';
