// What `volt sandbox run` uses of the packages (see scripts/bundle.mjs); seccomp only with --seccomp.
export { VoltError } from '@volt/core';
export * as landlock from '@volt/landlock';
