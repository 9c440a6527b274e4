// The public API of @volt/nspawn, by layer: the model (parse a container's isolation), render (the plan:
// command line, .nspawn file, drop-in, files, enforcement report) and host (install, start, stop).

export type {
  IsolationConfig,
  LandlockPolicy,
  NetworkConfig,
  ResourceLimits,
  SeccompConfig,
  Valid,
  ValidIsolation,
} from '@volt/core';
export { hostOciTarget, kubernetesFiles, writeOciBundle, writePlannedFiles } from './host/bundle.js';
export { type BusyboxRootfs, createBusyboxRootfs } from './host/busybox.js';
export {
  DEMO_CONTAINER_NAME,
  isolationFromDocument,
  isolationFromLayers,
  type ProfileFile,
  type ProfileFileReport,
  readProfileDocument,
  readProfileFile,
  readProfileLayers,
  renderPlanFromDocument,
  renderPlanFromLayers,
  validateProfileFile,
} from './host/document.js';
export {
  type EnforcementOptions,
  enforcementOnHost,
  type ProfileEnforcement,
} from './host/explain.js';
export { checkRootfs } from './host/image.js';
export {
  type ApplyOptions,
  applyPlan,
  type FileChange,
  type InstallOptions,
  planChanges,
  recoverInstall,
  removeContainerFiles,
} from './host/install.js';
export { readInstalledContainer } from './host/installed.js';
export {
  CONTAINER_MANAGERS,
  type ContainerManager,
  type ContainerStatus,
  containerStatus,
  containerUnit,
  controlContainer,
  type ManagerCommand,
  managerCommand,
  prepareHostNetwork,
  removeContainer,
  runDirect,
} from './host/lifecycle.js';
export { type ContainerDrift, type InstalledContainer, listContainers } from './host/list.js';
export { findExecutable, requireNspawn, requireRoot, requireSystemdPid1 } from './host/preflight.js';
export { type HostProbe, probeHost, systemdIsPid1 } from './host/probe.js';
export { hostPlanTarget, planTargetFor } from './host/target.js';
export { BUSYBOX_ROOTFS, busyboxApplets, elfIsStatic } from './model/busybox.js';
export { DEFAULT_PROFILE, DEFAULT_YIELDS, type DefaultYield, MACHINES_DIR } from './model/defaults.js';
export { IMAGE_UNIT_DIRECTORIES, overridesWorkloadDropIn } from './model/drop-ins.js';
export {
  IDMAPPED_FILE_SYSTEMS,
  type IdmappedMounts,
  idmappedMounts,
  kernelVersion,
  toolVersion,
} from './model/host-facts.js';
export { type InstalledFiles, isolationFromInstalled } from './model/installed.js';
export {
  type ComposedIsolation,
  composeIsolation,
  defaultIsolation,
  type MergeReport,
  parseIsolation,
  planEnforcesLandlock,
  validateIsolation,
  type YieldedDefault,
} from './model/isolation.js';
export {
  describeSource,
  EXTENDS_LIMITS,
  type ProfileLayer,
  type ProfileSource,
} from './model/layers.js';
export {
  type ContainerManifest,
  type InstallRoute,
  type ProfileOrigin,
  parseManifest,
  renderManifest,
} from './model/manifest.js';
export { type MergedValue, type MergeRow, type MergeRule, PROFILE_MERGE_RULES } from './model/merge.js';
export {
  CONTAINER_RUNTIME_UNIT_DIR,
  CONTAINER_VOLT_DIR,
  type ContainerPaths,
  containerPaths,
  installableFiles,
  NSPAWN_SETTINGS_DIR,
  ownedDirectories,
  SYSTEMD_UNIT_DIR,
  VOLT_STATE_DIR,
  WORKLOAD_DROP_IN_NAME,
  workloadDropInTarget,
} from './model/paths.js';
export { findPreset, PROFILE_PRESETS, type ProfilePreset, presetId } from './model/presets.js';
export type { ProfileProblem } from './model/problems.js';
export {
  type ContainerProcess,
  containerProcess,
  NSPAWN_CAPABILITIES,
  type ProcessRlimit,
  type ProcessRuntime,
} from './model/process.js';
export { HOST_SYSTEM_TREES, rootfsProblem, templateRootfs } from './model/rootfs.js';
export {
  formatKubernetesManifests,
  KUBELET_SECCOMP_DIR,
  KUBERNETES_HELPER_PATH,
  KUBERNETES_KINDS,
  KUBERNETES_RESOURCES,
  type KubernetesKind,
  type KubernetesManifests,
  type KubernetesObject,
  type KubernetesResourceMapping,
  type KubernetesSeccompProfile,
  type KubernetesTarget,
  renderKubernetes,
} from './render/kubernetes.js';
export {
  networkNamespacePath,
  type OciBundle,
  type OciIdMapping,
  type OciIdRange,
  type OciMount,
  type OciNamespace,
  type OciRuntimeConfig,
  type OciTarget,
  pickUserRange,
  renderOciBundle,
} from './render/oci.js';
export {
  type DirectCommand,
  ISOLATION_LAYERS,
  type IsolationLayer,
  type IsolationPlan,
  type LayerEnforcement,
  type PlannedFile,
  type PlanTarget,
  planUsesHelper,
  renderPlan,
} from './render/plan.js';
export {
  formatMergeReport,
  formatPlan,
  formatPlanArtifact,
  formatYieldedDefaults,
  PLAN_ARTIFACTS,
  type PlanArtifact,
  planToJson,
} from './render/present.js';
export {
  NSPAWN_SECTIONS,
  NSPAWN_SETTING_ARGUMENTS,
  type NspawnSection,
  type NspawnSetting,
  renderNspawnFile,
  type SettingArgument,
  settingsToArguments,
} from './render/settings.js';
export {
  ENFORCEMENT_STATUS_TEXT,
  formatEnforcementByTarget,
  formatEnforcementTable,
  RENDER_TARGETS,
  type RenderTarget,
  type TargetEnforcement,
} from './render/targets.js';
