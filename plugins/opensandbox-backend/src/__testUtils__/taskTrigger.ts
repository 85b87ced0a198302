import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';

/**
 * A test-only module of the `opensandbox` plugin: `POST /api/opensandbox/__test/tasks/:id` runs a
 * scheduled task of the plugin now (`scheduler.triggerTask`), so tests never wait for an interval.
 */
export const taskTriggerModule = createBackendModule({
  pluginId: 'opensandbox',
  moduleId: 'test-task-trigger',
  register(reg) {
    reg.registerInit({
      deps: { scheduler: coreServices.scheduler, httpRouter: coreServices.httpRouter },
      async init({ scheduler, httpRouter }) {
        const router = Router();
        router.post('/__test/tasks/:id', async (req, res) => {
          await scheduler.triggerTask(req.params.id);
          res.status(204).end();
        });
        httpRouter.use(router);
        httpRouter.addAuthPolicy({ path: '/__test', allow: 'unauthenticated' });
      },
    });
  },
});
