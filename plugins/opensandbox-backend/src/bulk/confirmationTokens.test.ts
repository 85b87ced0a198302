import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConfirmationTokens } from './confirmationTokens';

jest.setTimeout(60_000);

const directory = resolvePackagePath(
  '@opensandbox-console/plugin-opensandbox-backend',
  'migrations',
);
const NOW = Date.parse('2026-12-15T10:00:00Z');
const subject = {
  action: 'delete' as const,
  actor: 'user:default/ada',
  selection: ['default/b', 'default/a'],
};

describe('ConfirmationTokens', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'replicas on one database agree on the stored key (%p)',
    async id => {
      const knex = await databases.init(id);
      await knex.migrate.latest({ directory });
      // Two replicas start at once: both insert-if-absent, both read the same row.
      const [one, two] = [
        new ConfirmationTokens({ knex, ttlSeconds: 600 }),
        new ConfirmationTokens({ knex, ttlSeconds: 600 }),
      ];
      const [a, b] = await Promise.all([
        one.sign(subject, NOW),
        two.sign(subject, NOW),
      ]);
      expect(a.token).toBe(b.token);
      expect(await two.verify(a.token, subject, NOW + 1000)).toBe('ok');
      expect(
        Number((await knex('opensandbox_secrets').count({ n: '*' }))[0].n),
      ).toBe(1);
    },
  );

  it('binds the action, the caller (case-insensitively) and the exact set, in any order', async () => {
    const tokens = new ConfirmationTokens({
      secret: 'a-configured-secret-of-some-length',
      ttlSeconds: 600,
    });
    const { token, expiresAt } = await tokens.sign(subject, NOW);
    expect(expiresAt).toBe('2026-12-15T10:10:00.000Z');
    expect(
      await tokens.verify(
        token,
        { ...subject, selection: ['default/a', 'default/b', 'default/a'] },
        NOW,
      ),
    ).toBe('ok');
    expect(
      await tokens.verify(
        token,
        { ...subject, actor: 'User:Default/Ada' },
        NOW,
      ),
    ).toBe('ok');
    expect(
      await tokens.verify(token, { ...subject, selection: ['default/a'] }, NOW),
    ).toBe('mismatch');
    expect(
      await tokens.verify(
        token,
        { ...subject, selection: ['default/a', 'default/b', 'default/c'] },
        NOW,
      ),
    ).toBe('mismatch');
    expect(
      await tokens.verify(
        token,
        { ...subject, selection: ['eu/a', 'default/b'] },
        NOW,
      ),
    ).toBe('mismatch');
    expect(
      await tokens.verify(token, { ...subject, action: 'pause' }, NOW),
    ).toBe('mismatch');
    expect(
      await tokens.verify(
        token,
        { ...subject, actor: 'user:default/bob' },
        NOW,
      ),
    ).toBe('mismatch');
    expect(await tokens.verify(token, subject, NOW + 600_000)).toBe('ok');
    expect(await tokens.verify(token, subject, NOW + 601_000)).toBe('expired');
    // A later expiry cannot be forged: it is signed.
    const [, , signature] = token.split('.');
    expect(
      await tokens.verify(
        `v1.${Math.floor(NOW / 1000) + 99999}.${signature}`,
        subject,
        NOW,
      ),
    ).toBe('mismatch');
    expect(await tokens.verify('garbage', subject, NOW)).toBe('mismatch');
    // Another deployment (another secret) does not accept it.
    const other = new ConfirmationTokens({
      secret: 'another-secret-of-some-length',
      ttlSeconds: 600,
    });
    expect(await other.verify(token, subject, NOW)).toBe('mismatch');
  });
});
