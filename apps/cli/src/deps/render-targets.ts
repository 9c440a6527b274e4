// What `volt render --format oci|kubernetes` and `--only enforcement --target` use of the packages.
export {
  formatEnforcementByTarget,
  formatKubernetesManifests,
  formatPlanArtifact,
  hostOciTarget,
  isolationFromLayers,
  KUBERNETES_KINDS,
  kubernetesFiles,
  RENDER_TARGETS,
  renderKubernetes,
  renderOciBundle,
  renderPlanFromLayers,
  writeOciBundle,
  writePlannedFiles,
} from '@volt/nspawn';
