// What `volt render` uses of the packages, by name: bundled into dist/deps/render.cjs with nothing else, so
// the command loads only the modules that render a plan (see scripts/bundle.mjs). The other targets
// (`--format oci|kubernetes`, `--target`) load deps/render-targets.cjs instead.
export { unwrap } from '@volt/core';
export {
  DEMO_CONTAINER_NAME,
  formatPlan,
  formatPlanArtifact,
  mergeProfileDocuments,
  parseIsolation,
  planTargetFor,
  planToJson,
  readProfileDocument,
  renderPlan,
} from '@volt/nspawn';
