export { unitTestConfig as default } from '../vitest.shared.ts';
