import type { LandlockPathRule, LandlockPolicy, LandlockPresetName } from '@volt/core';
import { LANDLOCK_LATEST_ABI, landlockAbiFeatures } from './abi.js';
import { LANDLOCK_READ_WRITE } from './rights.js';
import { ignoreIfMissing, pathRules, readExec, readOnly, readWrite } from './rules.js';

/**
 * What the Landlock part of a profile means where it does not say: every filesystem right of the newest
 * ABI is handled, network access and IPC scopes are left alone, no logging flags, no thread sync,
 * `best-effort`. A preset is these settings plus its rules.
 *
 * @example
 * ```ts
 * LANDLOCK_PROFILE_DEFAULTS.compatibility; // 'best-effort'
 * ```
 */
export const LANDLOCK_PROFILE_DEFAULTS: Omit<LandlockPolicy, 'paths' | 'ports'> = {
  handledFs: landlockAbiFeatures(LANDLOCK_LATEST_ABI).fs,
  handledNet: [],
  scopes: [],
  logFlags: [],
  threadSync: false,
  compatibility: 'best-effort',
};

/**
 * The rules of each preset, in container paths (as the workload sees them), as the original design
 * granted them. Every rule is optional: not every image has `/lib64`, `/app`, `/opt` or `/home`.
 *
 * @example
 * ```ts
 * LANDLOCK_PRESET_RULES.server.find((rule) => rule.path === '/etc')?.access; // ['read-file', 'read-dir']
 * ```
 */
export const LANDLOCK_PRESET_RULES: Readonly<Record<LandlockPresetName, readonly LandlockPathRule[]>> = {
  server: ignoreIfMissing([
    ...readExec('/usr', '/lib', '/lib64', '/bin', '/sbin'),
    ...readOnly('/etc'),
    ...readWrite('/app', '/tmp', '/var', '/run'),
  ]),
  desktop: ignoreIfMissing([
    ...readExec('/usr', '/lib', '/lib64', '/bin', '/sbin'),
    ...readWrite('/etc'),
    ...pathRules(['/home'], [...LANDLOCK_READ_WRITE, 'execute']),
    ...readWrite('/tmp', '/var', '/run'),
    ...readExec('/opt'),
  ]),
};
