/**
 * Test helpers of the inventory tests (not exported by the package).
 */
import type { Knex } from 'knex';
import { mockServices } from '@backstage/backend-test-utils';
import type { ConsoleSandbox } from '@opensandbox-console/plugin-opensandbox-common';
import { SandboxInventoryStore } from '../inventory/SandboxInventoryStore';

/** 2026-12-01T10:00:00.000Z */
export const T0 = Date.UTC(2026, 11, 1, 10, 0, 0, 0);

/** A settable clock. */
export function testClock(start = T0) {
  const clock = { now: start, fn: () => clock.now };
  return clock;
}

/** A migrated inventory store on `knex` with the given clock. */
export async function createInventoryStore(
  knex: Knex,
  clock: () => number,
  options: { removalRetentionMs?: number } = {},
) {
  return SandboxInventoryStore.create({
    database: mockServices.database({ knex }),
    clock,
    ...options,
  });
}

/** A sandbox; `createdAt`/`expiresAt` may be given as epoch ms. */
export function sandbox(
  id: string,
  options: {
    createdAt?: number;
    expiresAt?: number | null;
    state?: string;
    name?: string;
    metadata?: Record<string, string>;
    owner?: string;
    team?: string;
    entity?: string;
    image?: string;
  } = {},
): ConsoleSandbox {
  const metadata = { ...(options.metadata ?? {}) };
  if (options.name !== undefined) metadata.name = options.name;
  const ownership =
    options.owner || options.team || options.entity
      ? {
          ...(options.owner ? { owner: options.owner } : {}),
          ...(options.team ? { team: options.team } : {}),
          ...(options.entity ? { entity: options.entity } : {}),
        }
      : undefined;
  return {
    id,
    image: { uri: options.image ?? 'python:3.12' },
    status: { state: options.state ?? 'Running' },
    ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    entrypoint: ['python', '-m', 'http.server'],
    createdAt: new Date(options.createdAt ?? T0).toISOString(),
    ...(options.expiresAt === null
      ? {}
      : {
          expiresAt: new Date(
            options.expiresAt ?? (options.createdAt ?? T0) + 3_600_000,
          ).toISOString(),
        }),
    ...(ownership ? { ownership } : {}),
  };
}

/** The ids of a list result, in order. */
export const ids = (result: { items: ConsoleSandbox[] }) =>
  result.items.map(s => s.id);
