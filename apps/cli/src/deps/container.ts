// What `volt apply|remove|start|stop|status|run` use of the packages (see scripts/bundle.mjs).
export { VoltError } from '@volt/core';
export {
  applyPlan,
  CONTAINER_MANAGERS,
  containerStatus,
  controlContainer,
  formatEnforcementTable,
  planChanges,
  prepareHostNetwork,
  readInstalledContainer,
  readProfileFile,
  removeContainer,
  renderPlanFromLayers,
  requireNspawn,
  requireRoot,
  requireSystemdPid1,
  runDirect,
} from '@volt/nspawn';
