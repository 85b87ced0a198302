/**
 * The demo accounts of the development identity provider: the people of the demo organisation
 * (examples/org.yaml) plus `mallory`, who can sign in here but has no user in the catalog (so the
 * console must refuse her).
 *
 * DEVELOPMENT ONLY: every account shares one fixed demo password.
 */
export type DemoAccount = {
  /** Login name and OIDC `sub`. */
  username: string;
  email: string;
  name: string;
};

/** The demo password (override with IDP_DEMO_PASSWORD). Never use this provider in production. */
export const DEFAULT_DEMO_PASSWORD = 'opensandbox-demo';

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'ada', email: 'ada@example.com', name: 'Ada Operator' },
  { username: 'bob', email: 'bob@example.com', name: 'Bob Operator' },
  { username: 'vic', email: 'vic@example.com', name: 'Vic Viewer' },
  { username: 'pat', email: 'pat@example.com', name: 'Pat Admin' },
  {
    username: 'mallory',
    email: 'mallory@example.com',
    name: 'Mallory (not in the catalog)',
  },
];

/** Finds an account by login name or email (case-insensitive). */
export function findDemoAccount(
  accounts: readonly DemoAccount[],
  login: string,
): DemoAccount | undefined {
  const key = login.trim().toLocaleLowerCase('en-US');
  return accounts.find(
    a => a.username === key || a.email.toLocaleLowerCase('en-US') === key,
  );
}

/** The OIDC claims of an account (scopes `openid email profile`). */
export function accountClaims(account: DemoAccount) {
  return {
    sub: account.username,
    email: account.email,
    email_verified: true,
    name: account.name,
    preferred_username: account.username,
  };
}
