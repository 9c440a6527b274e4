// What `volt seccomp` uses of the packages (see scripts/bundle.mjs).
export * as core from '@volt/core';
export * as seccompPackage from '@volt/seccomp';
