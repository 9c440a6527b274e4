// What `volt render` uses of the packages, by name: bundled into dist/deps/render.cjs with nothing else, so
// the command loads only the modules that render a plan (see scripts/bundle.mjs). The other targets
// (`--format oci|kubernetes`, `--target`) load deps/render-targets.cjs instead.
export {
  formatMergeReport,
  formatPlan,
  formatPlanArtifact,
  formatYieldedDefaults,
  isolationFromLayers,
  planTargetFor,
  planToJson,
  readProfileLayers,
  renderPlan,
} from '@volt/nspawn';
