// What `volt probe` uses of the packages (see scripts/bundle.mjs).
export { probeHost } from '@volt/nspawn';
