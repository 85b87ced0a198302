import { REDACTED, redactDetails } from './redact';

describe('redactDetails', () => {
  const details = {
    image: {
      uri: 'registry/x:1',
      auth: { username: 'bot', password: 'hunter2' },
    },
    env: { FOO: 'bar', DB_URL: 'postgres://u:p@h/db' },
    metadata: {
      owner: 'team-a',
      nested: [{ apiKey: 'k1', api_key: 'k2', accessToken: 't' }],
    },
    clientSecret: 's',
    entrypoint: ['python', '-c', 'print(1)'],
    timeout: 3600,
    empty: null,
  };

  it('redacts passwords, secret-like keys at any depth and env values', () => {
    expect(redactDetails(details)).toEqual({
      image: {
        uri: 'registry/x:1',
        auth: { username: REDACTED, password: REDACTED },
      },
      env: { FOO: REDACTED, DB_URL: REDACTED },
      metadata: {
        owner: 'team-a',
        nested: [
          { apiKey: REDACTED, api_key: REDACTED, accessToken: REDACTED },
        ],
      },
      clientSecret: REDACTED,
      entrypoint: ['python', '-c', 'print(1)'],
      timeout: 3600,
      empty: null,
    });
    expect(details.image.auth.password).toBe('hunter2');
  });

  it('keeps env values when recordEnvValues is set, never passwords', () => {
    const out = redactDetails(details, { recordEnvValues: true });
    expect(out.env).toEqual({ FOO: 'bar', DB_URL: 'postgres://u:p@h/db' });
    expect((out.image as any).auth.password).toBe(REDACTED);
  });

  it('redacts env lists, nested env maps and diffs', () => {
    expect(
      redactDetails({
        env: [{ name: 'A', value: '1' }, 'B=2'],
        before: { env: { X: 'y' } },
        after: { env: { X: 'z' }, token: 'abc' },
      }),
    ).toEqual({
      env: [{ name: 'A', value: REDACTED }, REDACTED],
      before: { env: { X: REDACTED } },
      after: { env: { X: REDACTED }, token: REDACTED },
    });
  });
});
