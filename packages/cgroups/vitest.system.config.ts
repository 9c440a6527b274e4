export { systemTestConfig as default } from '../../vitest.shared.ts';
