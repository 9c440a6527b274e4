export * from './errors.js';
export {
  NSPAWN_BIND_OPTIONS,
  type NspawnBind,
  type NspawnBindOption,
  nspawnBindSpec,
  nspawnCommandArguments,
  nspawnSetenvArgument,
  nspawnSettingsWord,
  nspawnSettingsWords,
  parseNspawnBindSpec,
  parseNspawnSettingsWords,
} from './formats/nspawn.js';
export * from './formats/unit-file.js';
export {
  parseUnitEnvironment,
  parseUnitExecStart,
  type UnitExecCommand,
  unitEnvironmentValue,
  unitExecStartValue,
  unitFileWord,
} from './formats/unit-values.js';
export * from './model/resources.js';
export * from './model/types.js';
export * from './model/valid.js';
export * from './values/bytes.js';
export * from './values/describe.js';
export * from './values/errno.js';
export * from './values/ip.js';
export * from './values/names.js';
export * from './values/numbers.js';
export { ARGUMENT_BYTES_MAX, parseFreeText } from './values/text.js';
