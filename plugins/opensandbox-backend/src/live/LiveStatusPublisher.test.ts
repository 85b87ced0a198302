import { mockServices } from '@backstage/backend-test-utils';
import { LiveStatusPublisher } from './LiveStatusPublisher';

describe('LiveStatusPublisher', () => {
  function setup(publish = jest.fn(async () => {})) {
    let version = 41;
    const logger = mockServices.logger.mock();
    const publisher = new LiveStatusPublisher({
      signals: { publish },
      inventory: { currentVersion: async () => ++version },
      logger,
      coalesceMs: 60_000,
    });
    return { publisher, publish, logger };
  }

  it('publishes the changes of a window as one broadcast without ids', async () => {
    const { publisher, publish } = setup();
    publisher.publish({ server: 'eu', ids: ['a', 'b'], source: 'sync' });
    publisher.publish({ server: 'eu', ids: ['a'], source: 'console' });
    publisher.publish({ server: 'default', ids: ['c'], source: 'sync' });
    expect(publish).not.toHaveBeenCalled();
    await publisher.flush();
    expect(publish).toHaveBeenCalledTimes(1);
    expect(publish).toHaveBeenCalledWith({
      recipients: { type: 'broadcast' },
      channel: 'opensandbox:sandboxes',
      message: {
        version: 42,
        servers: ['default', 'eu'],
        count: 3,
        source: 'console',
      },
    });
    // Nothing pending: nothing published.
    await publisher.flush();
    expect(publish).toHaveBeenCalledTimes(1);
    publisher.publish({ server: 'eu', ids: ['d'], source: 'sync' });
    await publisher.flush();
    expect(publish).toHaveBeenLastCalledWith(
      expect.objectContaining({
        message: { version: 43, servers: ['eu'], count: 1, source: 'sync' },
      }),
    );
  });

  it('logs a failed publish and never throws', async () => {
    const { publisher, logger } = setup(
      jest.fn(async () => {
        throw new Error('events down');
      }),
    );
    publisher.publish({ server: 'default', ids: ['a'], source: 'console' });
    await expect(publisher.flush()).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('opensandbox:sandboxes'),
      expect.any(Error),
    );
  });

  it('publishes by itself once the window has passed', async () => {
    jest.useFakeTimers();
    try {
      const { publisher, publish } = setup();
      publisher.publish({ server: 'default', ids: ['a'], source: 'sync' });
      await jest.advanceTimersByTimeAsync(59_999);
      expect(publish).not.toHaveBeenCalled();
      await jest.advanceTimersByTimeAsync(1);
      expect(publish).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
