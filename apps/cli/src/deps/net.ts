// What `volt net` uses of the packages (see scripts/bundle.mjs).
export { unwrap } from '@volt/core';
export * as netns from '@volt/netns';
