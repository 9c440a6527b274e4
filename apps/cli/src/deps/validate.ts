// What `volt validate` uses of the packages (see scripts/bundle.mjs).
export { validateProfileFile } from '@volt/nspawn';
