// The public API of @volt/seccomp (listed in the README, "Public API").

export type { SeccompAction, SeccompConfig, SeccompProfileName, Valid } from '@volt/core';
export type { SeccompProfile } from '@volt/core/profile';
// host: what this kernel offers
export { probeSeccomp, type SeccompKernel } from './host/probe.js';

// Model: the catalog, the profiles, the configuration and its one validator, the formats read back.
export {
  CATALOG_LIBSECCOMP_VERSION,
  CATALOG_SYSTEMD_VERSION,
  SYSCALL_GROUPS,
  type SyscallGroupEntry,
} from './model/catalog.generated.js';
export {
  AUDIT_ARCH,
  expandSyscallGroup,
  expandSyscallNames,
  isKnownSyscall,
  isSyscallGroup,
  knownSyscalls,
  parseSeccompArch,
  SECCOMP_ARCHES,
  type SeccompArch,
  type SyscallGroupName,
  seccompArchOfNode,
  syscallName,
  syscallNumber,
  X32_SYSCALL_BIT,
} from './model/catalog.js';
export {
  DEFAULT_SECCOMP_ACTION,
  DEFAULT_SECCOMP_CONFIG,
  parseSeccompConfig,
  seccompConfigFromProfile,
} from './model/config.js';
export { seccompConfigFromNspawn } from './model/from-nspawn.js';
export {
  DOCKER_DEFAULT_CAPABILITIES,
  type ExpandedMobyProfile,
  expandMobyProfile,
  MOBY_ARCH_NAMES,
  type MobyArg,
  type MobyExpandOptions,
  type MobyFilter,
  type MobySeccompProfile,
  type MobySyscallRule,
  mobyUnconditionalAllowlist,
  parseMobySeccompProfile,
  SCMP_ACTIONS,
  SCMP_ARCH_NAMES,
  SCMP_COMPARE_OPS,
  type ScmpAction,
  type ScmpCompareOp,
} from './model/moby.js';
export {
  BOOT_REQUIRED_SYSCALLS,
  NSPAWN_BUILTIN_ALLOW_LIST,
  NSPAWN_CAPABILITY_ALLOW_LIST,
  NSPAWN_DEFAULT_CAPABILITIES,
  NSPAWN_SELF_REQUIRED_SYSCALLS,
} from './model/nspawn-builtin.js';
export {
  type ArchSyscallSet,
  expandSeccompConfig,
  type ResolvedSeccompNames,
  resolveSeccompNames,
  SECCOMP_PROFILE_DEFINITIONS,
  type SeccompProfileDefinition,
} from './model/profiles.js';

// Render: BPF, nspawn, OCI and Docker JSON, and the `volt seccomp export` formats.
export {
  BPF_MAX_INSTRUCTIONS,
  type BpfInstruction,
  decodeBpf,
  disassembleBpf,
  encodeBpf,
  SECCOMP_RET,
  SOCK_FILTER_SIZE,
} from './render/bpf.js';
export {
  compileFilter,
  compileSeccompBpf,
  type SeccompFilterSpec,
  seccompFilterSpec,
  seccompReturnValue,
} from './render/compile.js';
export {
  exportSeccomp,
  parseSeccompExportFormat,
  SECCOMP_EXPORT_FORMATS,
  type SeccompExportFormat,
  type SeccompExportOptions,
} from './render/export.js';
export { exportMobySeccompProfile } from './render/moby.js';
export {
  type NspawnSeccompArtifacts,
  type NspawnSeccompOptions,
  renderNspawnSeccomp,
} from './render/nspawn.js';
export { mobyToOci, type OciSeccomp, type OciSeccompRule, renderOciSeccomp } from './render/oci.js';
