import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import Router from 'express-promise-router';

/**
 * A stand-in `catalog` plugin serving `GET /api/catalog/entities/by-name/user/:namespace/:name`
 * from `users` (user ref → ownership refs), with `memberOf` relations for the group refs; other
 * users answer 404. For the role bindings' "explain".
 */
export function fakeCatalogPlugin(users: Record<string, string[]>) {
  return createBackendPlugin({
    pluginId: 'catalog',
    register(env) {
      env.registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        async init({ httpRouter }) {
          const router = Router();
          router.get(
            '/entities/by-name/user/:namespace/:name',
            async (req, res) => {
              const ref =
                `user:${req.params.namespace}/${req.params.name}`.toLocaleLowerCase(
                  'en-US',
                );
              const refs = users[ref];
              if (!refs) {
                res.status(404).json({
                  error: {
                    name: 'NotFoundError',
                    message: `No entity named ${ref}`,
                  },
                });
                return;
              }
              res.json({
                apiVersion: 'backstage.io/v1alpha1',
                kind: 'User',
                metadata: {
                  namespace: req.params.namespace,
                  name: req.params.name,
                },
                relations: refs
                  .filter(r => r.startsWith('group:'))
                  .map(targetRef => ({ type: 'memberOf', targetRef })),
              });
            },
          );
          httpRouter.use(router);
        },
      });
    },
  });
}
