import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ServiceUnavailableError } from '@backstage/errors';
import type { AuditorService } from '@backstage/backend-plugin-api';
import { DatabaseAuditRecorder, auditorEventId } from './DatabaseAuditRecorder';
import { DatabaseAuditStore } from './DatabaseAuditStore';
import type { AuditEventRecord } from './records';
import {
  T0,
  attemptInput,
  createTestStore,
  testClock,
} from '../__testUtils__/auditTestHelpers';

jest.setTimeout(60_000);

function mockAuditor() {
  const events: Array<{ success: jest.Mock; fail: jest.Mock }> = [];
  const auditor = {
    createEvent: jest.fn(async () => {
      const event = {
        success: jest.fn(async () => {}),
        fail: jest.fn(async () => {}),
      };
      events.push(event);
      return event;
    }),
  };
  return {
    auditor: auditor as unknown as AuditorService & typeof auditor,
    events,
  };
}

async function rows(store: DatabaseAuditStore): Promise<AuditEventRecord[]> {
  const out: AuditEventRecord[] = [];
  for await (const r of store.stream({})) out.push(r);
  return out;
}

const secretDetails = {
  image: { uri: 'python:3.12', auth: { username: 'bot', password: 'hunter2' } },
  env: { FOO: 'bar' },
  metadata: { apiKey: 'k', owner: 'team-a' },
};

describe('DatabaseAuditRecorder', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  async function setup(
    id: Parameters<typeof databases.init>[0],
    data: object = {},
  ) {
    const knex = await databases.init(id);
    const clock = testClock();
    const store = await createTestStore(knex, clock.fn);
    const { auditor, events } = mockAuditor();
    const logger = mockServices.logger.mock();
    const recorder = new DatabaseAuditRecorder({
      store,
      auditor,
      logger,
      config: new ConfigReader(data),
    });
    return { knex, clock, store, auditor, events, logger, recorder };
  }

  it('maps actions to kebab-case auditor event ids', () => {
    expect(auditorEventId('sandbox.create')).toBe('sandbox-create');
    expect(auditorEventId('sandbox.metadata.update')).toBe(
      'sandbox-metadata-update',
    );
  });

  it.each(databases.eachSupportedId())(
    'records initiated then succeeded, with an auditor event, redacted, on %p',
    async id => {
      const { store, clock, auditor, events, recorder } = await setup(id);
      const attempt = await recorder.begin(
        attemptInput({ team: 'group:default/a', details: secretDetails }),
      );
      const [initiated] = await rows(store);
      expect(initiated).toMatchObject({
        outcome: 'initiated',
        occurredAt: T0,
        team: 'group:default/a',
      });
      expect(initiated.details).toEqual({
        image: {
          uri: 'python:3.12',
          auth: { username: '[REDACTED]', password: '[REDACTED]' },
        },
        env: { FOO: '[REDACTED]' },
        metadata: { apiKey: '[REDACTED]', owner: 'team-a' },
      });
      expect(auditor.createEvent).toHaveBeenCalledTimes(1);
      expect(auditor.createEvent).toHaveBeenCalledWith({
        eventId: 'sandbox-create',
        severityLevel: 'medium',
        meta: {
          auditId: initiated.id,
          action: 'sandbox.create',
          actor: 'user:default/alice',
          actorType: 'user',
          team: 'group:default/a',
          requestId: 'req-00000001',
          channel: 'http',
          details: initiated.details,
        },
      });

      clock.now = T0 + 500;
      await attempt.succeed({
        httpStatus: 201,
        sandboxId: 'sbx-1',
        details: { after: { token: 't' } },
      });
      const [done] = await rows(store);
      expect(done).toMatchObject({
        id: initiated.id,
        outcome: 'succeeded',
        httpStatus: 201,
        sandboxId: 'sbx-1',
        updatedAt: T0 + 500,
      });
      expect(done.details.after).toEqual({ token: '[REDACTED]' });
      expect(events[0].success).toHaveBeenCalledWith({
        meta: { httpStatus: 201, sandboxId: 'sbx-1', outcome: 'succeeded' },
      });
      expect(events[0].fail).not.toHaveBeenCalled();
    },
  );

  it.each(databases.eachSupportedId())(
    'records failures once and ignores a second outcome on %p',
    async id => {
      const { store, events, recorder, logger } = await setup(id);
      const attempt = await recorder.begin(
        attemptInput({ action: 'sandbox.delete', sandboxId: 'sbx-2' }),
      );
      await attempt.fail({
        httpStatus: 502,
        errorCode: 'UPSTREAM_UNAVAILABLE',
        errorMessage: 'down',
      });
      await attempt.succeed({ httpStatus: 204 });
      const [row] = await rows(store);
      expect(row).toMatchObject({
        outcome: 'failed',
        httpStatus: 502,
        errorCode: 'UPSTREAM_UNAVAILABLE',
        errorMessage: 'down',
      });
      expect(events).toHaveLength(1);
      expect(events[0].fail).toHaveBeenCalledTimes(1);
      const failArg = events[0].fail.mock.calls[0][0];
      expect(failArg.error.message).toBe('down');
      expect(failArg.error.name).toBe('UPSTREAM_UNAVAILABLE');
      expect(events[0].success).not.toHaveBeenCalled();
      expect(logger.error).toHaveBeenCalledWith(
        `Audit event ${row.id}: outcome reported twice, ignoring succeeded`,
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps env values when configured on %p',
    async id => {
      const { store, recorder } = await setup(id, {
        opensandbox: { audit: { recordEnvValues: true } },
      });
      await recorder.begin(attemptInput({ details: secretDetails }));
      const [row] = await rows(store);
      expect(row.details.env).toEqual({ FOO: 'bar' });
      expect((row.details.image as any).auth.password).toBe('[REDACTED]');
    },
  );

  it.each(databases.eachSupportedId())(
    'records denied attempts on %p',
    async id => {
      const { store, auditor, events, recorder } = await setup(id);
      await recorder.denied(
        attemptInput({
          actor: 'user:default/eve',
          action: 'sandbox.delete',
          sandboxId: 'sbx-3',
          details: secretDetails,
        }),
        {
          httpStatus: 403,
          errorCode: 'NotAllowedError',
          errorMessage: 'not allowed',
        },
      );
      const [row] = await rows(store);
      expect(row).toMatchObject({
        outcome: 'denied',
        actor: 'user:default/eve',
        httpStatus: 403,
        errorCode: 'NotAllowedError',
        errorMessage: 'not allowed',
        sandboxId: 'sbx-3',
      });
      expect((row.details.image as any).auth.password).toBe('[REDACTED]');
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'sandbox-delete',
          severityLevel: 'medium',
          meta: expect.objectContaining({
            outcome: 'denied',
            auditId: row.id,
            actor: 'user:default/eve',
          }),
        }),
      );
      expect(events[0].fail).toHaveBeenCalledWith({
        error: expect.objectContaining({
          name: 'NotAllowedError',
          message: 'not allowed',
        }),
        meta: {
          httpStatus: 403,
          errorCode: 'NotAllowedError',
          errorMessage: 'not allowed',
        },
      });
    },
  );

  it.each(databases.eachSupportedId())(
    'fails closed when the initiated row cannot be written on %p',
    async id => {
      const { knex, events, recorder, logger } = await setup(id);
      await knex.destroy();
      const error = await recorder.begin(attemptInput()).catch(e => e);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect(error.message).toBe(
        'audit log unavailable; the operation was not performed',
      );
      expect(events).toHaveLength(1);
      expect(events[0].fail).toHaveBeenCalledWith({
        error: new Error('audit log unavailable'),
      });
      expect(logger.error).toHaveBeenCalledWith(
        'Audit log unavailable, refusing sandbox.create (request req-00000001)',
        expect.any(Error),
      );
    },
  );

  it.each(databases.eachSupportedId())(
    'logs, and does not throw, when the outcome cannot be written on %p',
    async id => {
      const { knex, events, recorder, logger } = await setup(id);
      const attempt = await recorder.begin(attemptInput());
      await knex.destroy();
      await expect(
        attempt.succeed({ httpStatus: 201 }),
      ).resolves.toBeUndefined();
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringMatching(
          /^Could not write the outcome succeeded of audit event [0-9a-f-]{36} \(request req-00000001\); the reaper will mark it unknown$/,
        ),
        expect.any(Error),
      );
      expect(events[0].success).toHaveBeenCalledTimes(1);
    },
  );

  it.each(databases.eachSupportedId())(
    'still answers a denial when its row cannot be written on %p',
    async id => {
      const { knex, events, recorder, logger } = await setup(id);
      await knex.destroy();
      await expect(
        recorder.denied(attemptInput(), { httpStatus: 403 }),
      ).resolves.toBeUndefined();
      expect(logger.error).toHaveBeenCalledTimes(1);
      expect(events[0].fail).toHaveBeenCalledTimes(1);
    },
  );
});
