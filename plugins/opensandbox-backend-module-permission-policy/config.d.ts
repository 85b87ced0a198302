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
    };
  };
}
