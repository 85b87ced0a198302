export * from './OpenSandboxApi';
export { OpenSandboxClient } from './OpenSandboxClient';
