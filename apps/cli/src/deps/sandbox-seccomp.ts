// What `volt sandbox run --seccomp` adds (see scripts/bundle.mjs).
export { unwrap } from '@volt/core';
export * as seccomp from '@volt/seccomp';
