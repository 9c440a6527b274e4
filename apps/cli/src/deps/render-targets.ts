// What `volt render --format oci|kubernetes` and `--only enforcement --target` use of the packages.

export {
  enforcementOnHost,
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
  writeOciBundle,
  writePlannedFiles,
} from '@volt/nspawn';
export { SECCOMP_ARCHES } from '@volt/seccomp';
