import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';
import { SandboxInventoryStore } from '../inventory/SandboxInventoryStore';
import { inventorySyncTaskId } from '../inventory/scheduleInventorySync';

/**
 * A test-only module of the `opensandbox` plugin: `POST /api/opensandbox/__test/tasks/:id` runs a
 * scheduled task of the plugin now (`scheduler.triggerTask`), so tests never wait for an interval.
 */
export const taskTriggerModule = createBackendModule({
  pluginId: 'opensandbox',
  moduleId: 'test-task-trigger',
  register(reg) {
    reg.registerInit({
      deps: {
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        database: coreServices.database,
      },
      async init({ scheduler, httpRouter, database }) {
        const router = Router();
        router.post('/__test/tasks/:id', async (req, res) => {
          await scheduler.triggerTask(req.params.id);
          res.status(204).end();
        });
        // Runs the inventory sync of a server now and answers once it has completed (or failed).
        router.post('/__test/inventory-sync/:server', async (req, res) => {
          const store = await SandboxInventoryStore.create({ database });
          const before = Date.now();
          await scheduler.triggerTask(inventorySyncTaskId(req.params.server));
          for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
            const sync = await store.lastSync(req.params.server);
            if (sync && sync.attemptedAt >= before) {
              res.status(sync.error ? 500 : 204).end();
              return;
            }
            await new Promise(r => setTimeout(r, 20));
          }
          res.status(504).end();
        });
        httpRouter.use(router);
        httpRouter.addAuthPolicy({ path: '/__test', allow: 'unauthenticated' });
      },
    });
  },
});
