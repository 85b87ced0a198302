/**
 * The read-only agent actions: list-sandboxes, get-sandbox, get-sandbox-endpoint. Reads are
 * decided like the HTTP routes (a sandbox the caller may not read is "not found") and are not
 * audited, like the routes.
 */
import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { InputError } from '@backstage/errors';
import { MAX_PAGE_SIZE } from '@opensandbox-console/plugin-opensandbox-common';
import { parseListQuery } from '../http/requestParsing';
import {
  actionContext,
  run,
  sandboxIdInput,
  SandboxActionsOptions,
  sandboxSummarySchema,
  serverInput,
  summarize,
} from './shared';

const READ_ONLY = {
  readOnly: true,
  destructive: false,
  idempotent: true,
} as const;

export function registerReadActions(
  registry: ActionsRegistryService,
  { operations, config }: SandboxActionsOptions,
): void {
  registry.register({
    name: 'list-sandboxes',
    title: 'List sandboxes',
    description: [
      "Lists the OpenSandbox sandboxes you may read (yours and your teams', or all for admins), newest first, one page at a time.",
      'Filters combine with AND; values inside one list filter combine with OR.',
      "The list comes from the console's inventory, refreshed every few seconds: `syncedAt` says how fresh it is; use get-sandbox for the live state of one sandbox.",
      'Errors: InputError names an invalid filter.',
    ].join(' '),
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          state: z
            .array(z.string().regex(/^[A-Za-z]{1,32}$/))
            .max(10)
            .optional()
            .describe(
              'Only sandboxes in one of these states, e.g. ["Running", "Paused"].',
            ),
          search: z
            .string()
            .max(100)
            .optional()
            .describe('Case-insensitive substring of the sandbox name or id.'),
          ownedByMe: z
            .boolean()
            .optional()
            .describe('Only sandboxes you created (users only).'),
          owner: z
            .array(z.string())
            .max(20)
            .optional()
            .describe(
              'Only sandboxes created by these users, e.g. ["user:default/ada"].',
            ),
          team: z
            .array(z.string())
            .max(20)
            .optional()
            .describe(
              'Only sandboxes of these teams, e.g. ["group:default/team-a"].',
            ),
          entity: z
            .array(z.string())
            .max(20)
            .optional()
            .describe(
              'Only sandboxes created for these catalog entities, e.g. ["component:default/payments-api"].',
            ),
          metadata: z
            .record(z.string())
            .optional()
            .describe(
              'Only sandboxes whose metadata has exactly these key/value labels.',
            ),
          expiringWithinSeconds: z
            .number()
            .int()
            .min(0)
            .optional()
            .describe(
              'Only sandboxes that expire within this many seconds from now (already expired included).',
            ),
          sort: z
            .enum(['createdAt', 'expiresAt', 'name', 'state'])
            .optional()
            .describe('Sort key; default createdAt.'),
          order: z
            .enum(['asc', 'desc'])
            .optional()
            .describe('Default desc for createdAt, asc otherwise.'),
          page: z
            .number()
            .int()
            .min(1)
            .optional()
            .describe('1-based page number; default 1.'),
          pageSize: z
            .number()
            .int()
            .min(1)
            .max(MAX_PAGE_SIZE)
            .optional()
            .describe(`Items per page, 1-${MAX_PAGE_SIZE}; default 20.`),
          server: serverInput(z).describe(
            'Only sandboxes of this OpenSandbox server. Omit to list every server.',
          ),
        }),
      output: z =>
        z.object({
          items: z.array(sandboxSummarySchema(z)),
          page: z.number(),
          pageSize: z.number(),
          totalItems: z
            .number()
            .describe('Sandboxes matching the filters, on all pages.'),
          totalPages: z.number(),
          hasNextPage: z.boolean(),
          syncedAt: z
            .string()
            .nullable()
            .describe(
              'When the inventory was last synced with OpenSandbox (RFC 3339), null before the first sync.',
            ),
        }),
    },
    examples: [
      {
        title: 'My running sandboxes',
        input: { ownedByMe: true, state: ['Running'] },
      },
      {
        title: 'Sandboxes of a team expiring within an hour',
        input: {
          team: ['group:default/team-a'],
          expiringWithinSeconds: 3600,
          sort: 'expiresAt',
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const {
        ownedByMe,
        metadata,
        page,
        pageSize,
        expiringWithinSeconds,
        ...rest
      } = input;
      let owner = rest.owner;
      if (ownedByMe) {
        const principal = credentials.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type !== 'user' || !principal.userEntityRef) {
          throw new InputError(
            'ownedByMe: only a user can filter by its own sandboxes; use team instead.',
          );
        }
        owner = [...(owner ?? []), principal.userEntityRef];
      }
      // The HTTP API's own parsing: the same validation and normalisation (lower-cased refs).
      const raw: Record<string, unknown> = {
        ...rest,
        ...(owner ? { owner } : {}),
        ...(metadata && Object.keys(metadata).length > 0
          ? { metadata: new URLSearchParams(metadata).toString() }
          : {}),
        ...(page !== undefined ? { page: String(page) } : {}),
        ...(pageSize !== undefined ? { pageSize: String(pageSize) } : {}),
        ...(expiringWithinSeconds !== undefined
          ? { expiringWithinSeconds: String(expiringWithinSeconds) }
          : {}),
      };
      for (const key of Object.keys(raw))
        if (raw[key] === undefined) delete raw[key];
      const result = await run(async () => {
        const { query, scope, server } = parseListQuery(raw);
        return operations.list(
          query,
          scope,
          actionContext(credentials, server),
        );
      });
      return {
        output: {
          items: result.items.map(s => summarize(config, s)),
          ...result.pagination,
          syncedAt: result.syncedAt ?? null,
        },
      };
    },
  });

  registry.register({
    name: 'get-sandbox',
    title: 'Get a sandbox',
    description: [
      'Reads one sandbox live from OpenSandbox: state, image, expiry, owner, team, metadata, and the last renewal the console recorded.',
      'Errors: NotFoundError when the sandbox does not exist or you may not read it (the two are indistinguishable on purpose).',
    ].join(' '),
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({ sandboxId: sandboxIdInput(z), server: serverInput(z) }),
      output: z =>
        z.object({
          sandbox: sandboxSummarySchema(z),
          lastRenewal: z
            .object({
              expiresAt: z.string().describe('The expiry that renewal set.'),
              renewedAt: z.string(),
              actor: z.string().describe('Who renewed.'),
              drift: z
                .boolean()
                .describe(
                  'True when OpenSandbox no longer reports that expiry (e.g. it restarted and lost the renewal).',
                ),
            })
            .optional(),
        }),
    },
    examples: [
      {
        title: 'Read a sandbox',
        input: { sandboxId: '4f0c5a6e-2b7d-4a59-9a43-0c1f9a1b2c3d' },
      },
    ],
    action: async ({ input, credentials }) => {
      const sandbox = await run(() =>
        operations.get(
          input.sandboxId,
          actionContext(credentials, input.server),
        ),
      );
      return {
        output: {
          sandbox: summarize(config, sandbox),
          ...(sandbox.lastRenewal ? { lastRenewal: sandbox.lastRenewal } : {}),
        },
      };
    },
  });

  registry.register({
    name: 'get-sandbox-endpoint',
    title: 'Get the endpoint of a sandbox port',
    description: [
      "Returns how to reach a TCP port served inside a sandbox from outside: `url` (http://, built from OpenSandbox's scheme-less `endpoint`) and any `headers` requests must carry.",
      'The sandbox must be Running and a process in it must listen on the port for requests to succeed; the lookup itself does not check that.',
      'Errors: NotFoundError when the sandbox does not exist or you may not read it; InputError for a port outside 1-65535.',
    ].join(' '),
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          sandboxId: sandboxIdInput(z),
          port: z
            .number()
            .int()
            .min(1)
            .max(65535)
            .describe('The port inside the sandbox, e.g. 8000.'),
          useServerProxy: z
            .boolean()
            .optional()
            .describe(
              "Route through the OpenSandbox server's proxy (for clients that cannot reach sandbox hosts directly).",
            ),
          server: serverInput(z),
        }),
      output: z =>
        z.object({
          endpoint: z
            .string()
            .describe(
              'host[:port]/path, without a scheme, as OpenSandbox returns it.',
            ),
          url: z.string().describe('The endpoint as an http:// URL.'),
          headers: z
            .record(z.string())
            .optional()
            .describe('Headers every request to the endpoint must carry.'),
        }),
    },
    examples: [
      {
        title: 'The web server on port 8000',
        input: {
          sandboxId: '4f0c5a6e-2b7d-4a59-9a43-0c1f9a1b2c3d',
          port: 8000,
        },
      },
    ],
    action: async ({ input, credentials }) => {
      const endpoint = await run(() =>
        operations.getEndpoint(
          input.sandboxId,
          input.port,
          input.useServerProxy === undefined
            ? {}
            : { useServerProxy: input.useServerProxy },
          actionContext(credentials, input.server),
        ),
      );
      return {
        output: {
          endpoint: endpoint.endpoint,
          url: `http://${endpoint.endpoint}`,
          ...(endpoint.headers && Object.keys(endpoint.headers).length > 0
            ? { headers: endpoint.headers }
            : {}),
        },
      };
    },
  });
}
