// What `volt apply|remove|start|stop|status|run` use of the packages (see scripts/bundle.mjs).
export { VoltError } from '@volt/core';
export {
  applyPlan,
  CONTAINER_MANAGERS,
  containerStatus,
  controlContainer,
  planChanges,
  prepareHostNetwork,
  readInstalledContainer,
  readProfileLayers,
  removeContainer,
  renderPlanFromLayers,
  runDirect,
} from '@volt/nspawn';
