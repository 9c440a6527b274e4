// The public API of @volt/landlock; the README's "Public API" section lists the same names.

// The domain types, defined in @volt/core, so that consumers can import them from here.
export type {
  LandlockCompatibility,
  LandlockFsRight,
  LandlockLogFlag,
  LandlockNetRight,
  LandlockPathRule,
  LandlockPolicy,
  LandlockPortRule,
  LandlockPresetName,
  LandlockScope,
} from '@volt/core';
export type { LandlockProfile } from '@volt/core/profile';
// host: the helper on this machine, running commands under a policy, reading policy files
export { landlockHelperPath, probeLandlock } from './host/helper.js';
export { readLandlockPolicyFile } from './host/policy-file.js';
export {
  type LandlockedChild,
  type LandlockedRun,
  type PreparedLandlock,
  type PrepareLandlockOptions,
  prepareLandlock,
  type RunLandlockedOptions,
  runLandlocked,
  type SpawnLandlockedOptions,
  shellExitCode,
  spawnLandlocked,
} from './host/spawn.js';
// model: what Landlock can do, policies and their one validator, compatibility resolution
export {
  LANDLOCK_LATEST_ABI,
  LANDLOCK_SYSCALLS,
  type LandlockAbi,
  type LandlockAbiFeatures,
  landlockAbiFeatures,
} from './model/abi.js';
export {
  type LandlockPolicyOptions,
  type LandlockPresetOptions,
  landlockPolicy,
  landlockPreset,
  withCompatibility,
  withRestrictFlags,
  withRules,
  withScopes,
} from './model/builder.js';
export {
  type LandlockDropped,
  type LandlockEnforcement,
  type LandlockKernel,
  type LandlockResolution,
  type LandlockStatus,
  resolveLandlockCompatibility,
} from './model/compat.js';
export { type LandlockConfigDocument, landlockPolicyFromConfig } from './model/landlockconfig.js';
export { landlockPolicyFromProfile, parseLandlockPolicy } from './model/policy.js';
export {
  LANDLOCK_FILE_RIGHTS,
  LANDLOCK_READ_EXEC,
  LANDLOCK_READ_ONLY,
  LANDLOCK_READ_WRITE,
} from './model/rights.js';
export {
  bindTcp,
  connectTcp,
  fullAccess,
  fullWrite,
  ignoreIfMissing,
  type LandlockRule,
  pathRules,
  readExec,
  readOnly,
  readWrite,
} from './model/rules.js';
export { type SandboxFlags, sandboxPolicy, withSandboxFlags } from './model/sandbox.js';
// render: pure functions from validated values to bytes, text and argv
export {
  type HelperPolicyOptions,
  type LandlockFileRightsMode,
  renderHelperPolicy,
} from './render/helper-policy.js';
export { formatLandlockConfig, landlockPolicyToConfig } from './render/landlockconfig.js';
export { formatLandlockStatus } from './render/status.js';
export { type HelperInvocation, landlockWrapCommand } from './render/wrap.js';
