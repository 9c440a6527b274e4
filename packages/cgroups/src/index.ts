// The public API of @volt/cgroups: model (the limits and their defaults, read back from systemd), render
// (systemd properties and drop-ins, cgroupfs writes, OCI resources), host (the cgroupfs manager, stats).

export type {
  ByteLimit,
  CpuLimits,
  CpuWeight,
  DeviceLimitRow,
  IoDeviceLimit,
  IoLimits,
  MemoryLimits,
  OciMapping,
  RateLimit,
  ResourceLimitRow,
  ResourceLimits,
  ResourceValueKind,
  TasksLimit,
  TasksLimits,
  Valid,
} from '@volt/core';
export { DEVICE_LIMITS, MEMORY_ORDER, RESOURCE_LIMITS } from '@volt/core';
export { parseResourceLimits } from '@volt/core/profile';
export {
  CgroupManager,
  type ControllerReport,
  type CreateOptions,
  readCgroupStats,
  type WaitOptions,
} from './host/manager.js';
export {
  type Cgroup2Hierarchy,
  type FindMountOptions,
  findCgroup2Mount,
  probeCgroup2,
} from './host/mountinfo.js';
export { type HostReadOptions, readHostResources, resolveDeviceNumbers } from './host/resources.js';
export { resolveCgroupDirectory, type WatchOptions, watchCgroupStats } from './host/watch.js';
export { DEFAULT_RESOURCE_LIMITS, DEFAULT_RESOURCES } from './model/defaults.js';
export { resourceLimitsFromProperties, type SystemdProperty } from './model/properties.js';
export type {
  CgroupEvents,
  CgroupStat,
  CgroupStats,
  CpuStat,
  IoStatEntry,
  MemoryEvents,
  Pressure,
  PressureLine,
} from './model/stats.js';
export {
  type CgroupFileValue,
  CONTROLLER_ORDER,
  cgroupfsValues,
  cpuMaxValue,
  DEFAULT_CPU_QUOTA_PERIOD_US,
  type DeviceNumber,
  type HostResources,
  requiredControllers,
} from './render/cgroupfs.js';
export {
  BLKIO_WEIGHT_RANGE,
  blkioWeightToIoWeight,
  CPU_SHARES_RANGE,
  cpuSharesToWeight,
  cpuWeightToShares,
  ioWeightToBlkioWeight,
  type OciLinuxResources,
  type OciOmission,
  type OciRendering,
  type OciThrottleDevice,
  ociLinuxResources,
} from './render/oci.js';
export { formatCgroupStats } from './render/stats.js';
export {
  renderServiceDropin,
  SYSTEMD_VALUE_SINCE,
  type SystemdRenderOptions,
  systemdProperties,
  systemdPropertyArgs,
} from './render/systemd.js';
