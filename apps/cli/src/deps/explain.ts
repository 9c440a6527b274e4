// What `volt explain` uses of the packages (see scripts/bundle.mjs).
export { enforcementOnHost, formatEnforcementTable, RENDER_TARGETS, readProfileLayers } from '@volt/nspawn';
