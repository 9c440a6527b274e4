// What `volt render` uses of the packages, by name: bundled into dist/deps/render.js with nothing else, so
// the command loads only the modules that render a plan (see scripts/bundle.mjs).
export {
  formatPlan,
  formatPlanArtifact,
  mergeProfileDocuments,
  planToJson,
  readProfileDocument,
  renderPlanFromDocument,
} from '@volt/nspawn';
