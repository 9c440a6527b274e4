// What `volt net` uses of the packages (see scripts/bundle.mjs).
export { parseProfile } from '@volt/core/profile';
export * as netns from '@volt/netns';
