export * from './bpf.js';
export * from './catalog.generated.js';
export * from './catalog.js';
export * from './compile.js';
export * from './interpreter.js';
export * from './nspawn-builtin.js';
export * from './profile.js';
