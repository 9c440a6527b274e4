// What `volt rootfs` uses of the packages (see scripts/bundle.mjs).
export { createBusyboxRootfs } from '@volt/nspawn';
