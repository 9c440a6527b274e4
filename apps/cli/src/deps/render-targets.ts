// What `volt render --format oci|kubernetes` and `--only enforcement --target` use of the packages.
export {
  formatEnforcementByTarget,
  formatKubernetesManifests,
  formatPlanArtifact,
  hostOciTarget,
  isolationFromDocument,
  KUBERNETES_KINDS,
  kubernetesFiles,
  RENDER_TARGETS,
  renderKubernetes,
  renderOciBundle,
  renderPlanFromDocument,
  writeOciBundle,
  writePlannedFiles,
} from '@volt/nspawn';
