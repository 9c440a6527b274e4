// What `volt render` uses of the packages, by name: bundled into dist/deps/render.js with nothing else, so
// the command loads only the modules that render a plan (see scripts/bundle.mjs).
export {
  formatEnforcementByTarget,
  formatKubernetesManifests,
  formatPlan,
  formatPlanArtifact,
  hostOciTarget,
  isolationFromDocument,
  KUBERNETES_KINDS,
  kubernetesFiles,
  mergeProfileDocuments,
  planToJson,
  RENDER_TARGETS,
  readProfileDocument,
  renderKubernetes,
  renderOciBundle,
  renderPlanFromDocument,
  writeOciBundle,
  writePlannedFiles,
} from '@volt/nspawn';
