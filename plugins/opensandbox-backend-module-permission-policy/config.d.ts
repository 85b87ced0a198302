export interface Config {
  opensandbox?: {
    /**
     * The role model of the OpenSandbox Console's permission policy (see docs/permissions.md).
     * Read by the policy module (users) and by the backend plugin (service principals).
     */
    permissionPolicy?: {
      /**
       * Role of users matching no entry: none (deny everything), viewer, operator or admin.
       * Default none.
       * @visibility backend
       */
      defaultRole?: 'none' | 'viewer' | 'operator' | 'admin';
      /**
       * Decision for permissions of other plugins when this module is the installed policy:
       * allow (the demo's choice) or deny. Default allow.
       * @visibility backend
       */
      otherPermissions?: 'allow' | 'deny';
      /**
       * User or group entity refs per role; a user gets the highest role that names it or one
       * of its ownership refs (groups).
       * @visibility backend
       */
      roles?: {
        viewer?: string[];
        operator?: string[];
        admin?: string[];
      };
      /**
       * Service principals (`backend.auth.externalAccess` subjects) and their role and teams.
       * @visibility backend
       */
      services?: Array<{
        subject: string;
        role: 'viewer' | 'operator' | 'admin';
        teams?: string[];
      }>;
      /**
       * Role bindings stored in the console's database (admin page / `/api/opensandbox/admin/role-bindings`),
       * added to the entries above (docs/governance.md).
       */
      roleBindings?: {
        /**
         * Read database role bindings at all. Default true; false: app-config alone decides.
         * @visibility backend
         */
        enabled?: boolean;
        /**
         * Staleness bound in seconds (0-300): a binding added or removed on one replica is in
         * force on every replica within this time. Default 10.
         * @visibility backend
         */
        cacheSeconds?: number;
        /**
         * While the bindings cannot be reloaded, keep serving the last ones this many seconds
         * longer (0-3600); afterwards app-config alone decides. Default 0.
         * @visibility backend
         */
        staleIfErrorSeconds?: number;
      };
    };
  };
}
