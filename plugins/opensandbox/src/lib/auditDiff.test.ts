import { auditChanges, hasAuditDiff } from './auditDiff';

describe('auditChanges', () => {
  it('lists the changed fields of before and after, flattened and sorted', () => {
    expect(
      auditChanges({
        before: { limits: { maxSandboxes: 5, maxCpu: '4' }, note: 'x' },
        after: {
          limits: { maxSandboxes: 10, maxCpu: '4' },
          note: 'x',
          tags: ['a'],
        },
      }),
    ).toEqual([
      { field: 'limits.maxSandboxes', before: '5', after: '10' },
      { field: 'tags', after: '["a"]' },
    ]);
  });

  it('handles a null side (a created binding) and a missing side (a pause)', () => {
    expect(
      auditChanges({
        before: null,
        after: { role: 'viewer', subject: 'user:default/vic' },
      }),
    ).toEqual([
      { field: 'role', after: 'viewer' },
      { field: 'subject', after: 'user:default/vic' },
    ]);
    expect(auditChanges({ before: { state: 'Running' } })).toEqual([
      { field: 'state', before: 'Running' },
    ]);
    expect(auditChanges({ before: 'a', after: 'b' })).toEqual([
      { field: '(value)', before: 'a', after: 'b' },
    ]);
  });

  it('is empty without a diff', () => {
    expect(hasAuditDiff({ request: {} })).toBe(false);
    expect(hasAuditDiff(null)).toBe(false);
    expect(auditChanges({ request: { a: 1 } })).toEqual([]);
    expect(auditChanges({ before: { a: 1 }, after: { a: 1 } })).toEqual([]);
  });
});
