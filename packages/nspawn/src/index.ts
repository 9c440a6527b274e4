export * from './defaults.js';
export * from './install.js';
export * from './lifecycle.js';
export * from './paths.js';
export * from './plan.js';
export * from './present.js';
export * from './resolve.js';
export * from './settings.js';
