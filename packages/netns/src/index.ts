export * from './bridge.js';
export * from './exec.js';
export * from './leases.js';
export * from './model.js';
export * from './nft.js';
export * from './nspawn.js';
export * from './options.js';
export * from './sandbox.js';
