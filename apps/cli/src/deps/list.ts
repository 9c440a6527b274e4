// What `volt list` uses of the packages (see scripts/bundle.mjs).
export { listContainers } from '@volt/nspawn';
