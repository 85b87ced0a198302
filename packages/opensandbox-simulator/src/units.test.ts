import { labelKeyProblem, labelValueProblem } from './labels';
import { parseMetadataFilter, unquotePlus } from './metadataFilter';
import { formatTimestamp, parseDateTime } from './time';
import { schemaErrors, validatorFor } from './__testUtils__/contract';

describe('labels', () => {
  it.each([
    'name',
    'backstage.io/owner',
    'a.b-c_d',
    'x'.repeat(63),
    `${'a'.repeat(253)}/n`,
  ])('accepts key %s', key => {
    expect(labelKeyProblem(key)).toBeUndefined();
  });
  it.each([
    '',
    '-a',
    'a b',
    'A.io/x',
    'a/b/c',
    '/x',
    'x/',
    'x'.repeat(64),
    'user:jane',
  ])('rejects key %j', key => {
    expect(labelKeyProblem(key)).toEqual(expect.any(String));
  });
  it.each(['', 'guest', 'group.default.team-a', 'A_1', 'v'.repeat(63)])(
    'accepts value %j',
    v => {
      expect(labelValueProblem(v)).toBeUndefined();
    },
  );
  it.each([
    'a b',
    'user:default/jane',
    'jane@example.com',
    '-x',
    'x-',
    'v'.repeat(64),
  ])('rejects value %j', v => {
    expect(labelValueProblem(v)).toEqual(expect.any(String));
  });
});

describe('parseMetadataFilter (Python parse_qsl strict, keep_blank_values)', () => {
  it('splits, keeps blanks and decodes a second time', () => {
    expect(
      parseMetadataFilter('a=1&backstage.io%2Fowner=guest&empty=&sp=a+b%20c'),
    ).toEqual([
      ['a', '1'],
      ['backstage.io/owner', 'guest'],
      ['empty', ''],
      ['sp', 'a b c'],
    ]);
    expect(parseMetadataFilter('k=v=w')).toEqual([['k', 'v=w']]);
    expect(parseMetadataFilter('')).toEqual([]);
  });
  it.each(['a', 'a=1&', '&a=1', 'a=1;b=2&c'])('rejects %j', v => {
    expect(() => parseMetadataFilter(v)).toThrow(/bad query field/);
  });
  it('keeps malformed percent escapes like Python unquote', () => {
    expect(unquotePlus('100%zz%41%C3%A9')).toBe('100%zzAé');
  });
});

describe('time', () => {
  it('formats like Pydantic (microseconds, Z, no fraction when zero)', () => {
    expect(formatTimestamp(Date.parse('2026-06-15T10:00:00Z'))).toBe(
      '2026-06-15T10:00:00Z',
    );
    expect(formatTimestamp(Date.parse('2026-06-15T10:00:00.412Z'))).toBe(
      '2026-06-15T10:00:00.412000Z',
    );
  });
  it('parses RFC 3339 with offsets, naive times as UTC, and dates', () => {
    const at = (s: string) => {
      const r = parseDateTime(s);
      return r.ok ? new Date(r.epochMs).toISOString() : r.error;
    };
    expect(at('2026-06-15T12:00:00+02:00')).toBe('2026-06-15T10:00:00.000Z');
    expect(at('2026-06-15T10:00:00.123456Z')).toBe('2026-06-15T10:00:00.123Z');
    expect(at('2026-06-15T10:00:00')).toBe('2026-06-15T10:00:00.000Z');
    expect(at('2026-06-15')).toBe('2026-06-15T00:00:00.000Z');
    expect(at('soon')).toBe('input is too short');
    expect(at('2026-02-30T00:00:00Z')).toMatch(/day value/);
  });
});

describe('contract helper', () => {
  it('loads the spec schemas and catches violations', () => {
    expect(
      schemaErrors('ErrorResponse', { code: 'X', message: 'y' }),
    ).toBeUndefined();
    expect(schemaErrors('ErrorResponse', { code: 'X' })).toMatch(/message/);
    expect(
      schemaErrors('Sandbox', {
        id: 'a',
        status: { state: 'Running' },
        createdAt: 'x',
        entrypoint: [],
      }),
    ).toMatch(/date-time/);
    expect(schemaErrors('CreateSandboxRequest', { timeout: 30 })).toBeDefined();
    expect(
      validatorFor({ $ref: '#/components/schemas/PaginationInfo' })({
        page: 1,
      }),
    ).toBe(false);
  });
});
