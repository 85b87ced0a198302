/**
 * A development OpenID Connect provider for the OpenSandbox Console: the demo accounts, a login
 * form, a confidential Backstage client and a client-credentials automation client whose access
 * tokens are JWTs for the console.
 *
 * @packageDocumentation
 */
export {
  DEMO_ACCOUNTS,
  DEFAULT_DEMO_PASSWORD,
  accountClaims,
  findDemoAccount,
} from './accounts';
export type { DemoAccount } from './accounts';
export { generateSigningJwk, loadSigningJwk, signingJwkFromText } from './keys';
export type { SigningJwk } from './keys';
export {
  CONSOLE_RESOURCE,
  providerConfiguration,
  startIdentityProvider,
} from './provider';
export type {
  IdentityProviderOptions,
  RunningIdentityProvider,
} from './provider';
export {
  DEFAULT_AUTOMATION_CLIENT_SECRET,
  DEFAULT_BACKSTAGE_CLIENT_SECRET,
  main,
  optionsFromArgs,
} from './cli';
