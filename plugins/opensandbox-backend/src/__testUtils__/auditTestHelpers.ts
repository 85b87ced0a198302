/**
 * Test helpers of the audit tests (not exported by the package).
 */
import type { Knex } from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import { DatabaseAuditStore } from '../audit/DatabaseAuditStore';
import type { AuditAttemptInput } from '../audit/types';

/** 2026-11-29T10:00:00.000Z */
export const T0 = Date.UTC(2026, 10, 29, 10, 0, 0, 0);

/** A settable clock. */
export function testClock(start = T0) {
  const clock = { now: start, fn: () => clock.now };
  return clock;
}

/** A migrated store on `knex` with the given clock. */
export async function createTestStore(knex: Knex, clock: () => number) {
  return DatabaseAuditStore.create({
    database: mockServices.database({ knex }),
    clock,
  });
}

/** A minimal valid attempt input. */
export function attemptInput(
  overrides: Partial<AuditAttemptInput> = {},
): AuditAttemptInput {
  return {
    actor: 'user:default/alice',
    actorType: 'user',
    action: 'sandbox.create',
    requestId: 'req-00000001',
    details: {},
    ...overrides,
  };
}
