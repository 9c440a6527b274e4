export * from './bytes.js';
export * from './errno.js';
export * from './errors.js';
export * from './ip.js';
export * from './names.js';
export * from './types.js';
export * from './unit-file.js';
export * from './values.js';
