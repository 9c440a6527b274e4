// What `volt cgroup` uses of the packages (see scripts/bundle.mjs).
export { formatCgroupStats, readCgroupStats, resolveCgroupDirectory, watchCgroupStats } from '@volt/cgroups';
