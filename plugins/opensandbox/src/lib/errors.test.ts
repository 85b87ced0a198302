import { ResponseError } from '@backstage/errors';
import { backendError } from '../__testUtils__/testUtils';
import {
  errorDetails,
  inFormWords,
  isRetryableCreateFailure,
  newIdempotencyKey,
  parseRetryAfter,
  retryAdvice,
} from './errors';

const NOW = Date.parse('2026-06-15T10:47:30Z');

describe('errorDetails', () => {
  it('reads message, status, request id, fields and Retry-After of a backend error', async () => {
    const error = await backendError(
      400,
      {
        name: 'InputError',
        message: 'image.uri could not be pulled',
        fields: [
          { field: 'image.uri', message: 'could not be pulled' },
          { bogus: true },
        ],
        requestId: 'req-body',
        upstreamCode: 'DOCKER::SANDBOX_IMAGE_PULL_FAILED',
      },
      { 'X-Request-ID': 'req-header' },
    );
    expect(errorDetails(error, NOW)).toEqual({
      message: 'image.uri could not be pulled (HTTP 400)',
      status: 400,
      requestId: 'req-body',
      retryAfterSeconds: undefined,
      fields: [{ field: 'image.uri', message: 'could not be pulled' }],
    });
  });

  it('falls back to the X-Request-ID header, and to the body retryAfterSeconds', async () => {
    const error = await backendError(
      429,
      {
        name: 'TooManyRequestsError',
        message: 'busy',
        retryAfterSeconds: 12.2,
      },
      { 'X-Request-ID': 'req-header' },
    );
    expect(errorDetails(error, NOW)).toMatchObject({
      status: 429,
      requestId: 'req-header',
      retryAfterSeconds: 13,
    });
  });

  it('falls back to the request id the client sent when the answer names none', async () => {
    const error = Object.assign(
      await backendError(409, {
        name: 'ConflictError',
        message: 'sandbox is Paused; pause needs Running',
      }),
      {
        requestId: 'sent-by-client',
      },
    );
    expect(errorDetails(error, NOW)).toMatchObject({
      status: 409,
      requestId: 'sent-by-client',
    });
    const withBody = Object.assign(
      await backendError(409, {
        name: 'ConflictError',
        message: 'x',
        requestId: 'from-body',
      }),
      {
        requestId: 'sent-by-client',
      },
    );
    expect(errorDetails(withBody, NOW).requestId).toBe('from-body');
  });

  it('handles errors that are not backend answers', () => {
    expect(errorDetails(new Error('Failed to fetch'))).toEqual({
      message: 'Failed to fetch',
      fields: [],
    });
    expect(ResponseError.is(new Error('x'))).toBe(false);
  });
});

describe('Retry-After', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('30', NOW)).toBe(30);
    expect(parseRetryAfter('Mon, 15 Jun 2026 10:48:30 GMT', NOW)).toBe(60);
    expect(parseRetryAfter('Mon, 15 Jun 2026 10:00:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('says when to try again, for 429 (and 503 with a delay) only', () => {
    expect(retryAdvice({ status: 429, retryAfterSeconds: 30 })).toBe(
      'Try again in 30 seconds.',
    );
    expect(retryAdvice({ status: 429, retryAfterSeconds: 1 })).toBe(
      'Try again in a second.',
    );
    expect(retryAdvice({ status: 429, retryAfterSeconds: 150 })).toBe(
      'Try again in 3 minutes.',
    );
    expect(retryAdvice({ status: 429 })).toBe('Try again later.');
    expect(retryAdvice({ status: 503, retryAfterSeconds: 5 })).toBe(
      'Try again in 5 seconds.',
    );
    expect(retryAdvice({ status: 503 })).toBeUndefined();
    expect(retryAdvice({ status: 409, retryAfterSeconds: 5 })).toBeUndefined();
  });
});

describe('create retries', () => {
  it('retries only when the outcome is unknown or the server was busy', () => {
    expect(
      [undefined, 400, 403, 404, 409, 429, 500, 502, 503, 504].map(
        isRetryableCreateFailure,
      ),
    ).toEqual([true, false, false, false, true, true, false, true, true, true]);
  });

  it('makes UUID v4 keys, also without crypto.randomUUID (plain http)', () => {
    const uuid =
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(newIdempotencyKey()).toMatch(uuid);
    const original = globalThis.crypto.randomUUID;
    try {
      (globalThis.crypto as any).randomUUID = undefined;
      const a = newIdempotencyKey();
      expect(a).toMatch(uuid);
      expect(newIdempotencyKey()).not.toBe(a);
    } finally {
      (globalThis.crypto as any).randomUUID = original;
    }
  });
});

describe('inFormWords', () => {
  const labels: Record<string, string> = {
    timeout: 'Timeout (minutes)',
    'image.uri': 'Image URI',
  };
  it('leads each field error with the form label, durations in minutes', () => {
    const details = {
      message:
        'timeout must be at most 86400 seconds; image.uri is required (HTTP 400)',
      status: 400,
      requestId: 'req-1',
      fields: [
        { field: 'timeout', message: 'must be at most 86400 seconds' },
        { field: 'image.uri', message: 'is required' },
        { field: 'other', message: 'is odd' },
      ],
    };
    expect(inFormWords(details, f => labels[f])).toEqual({
      ...details,
      message:
        'Timeout (minutes) must be at most 1440 minutes; Image URI is required; other is odd (HTTP 400)',
    });
  });
  it('leaves errors without field errors as they are', () => {
    const details = { message: 'gone (HTTP 502)', status: 502, fields: [] };
    expect(inFormWords(details, f => labels[f])).toBe(details);
  });
});
