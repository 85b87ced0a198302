/**
 * The sandbox inventory: a database read model of every sandbox of every OpenSandbox server,
 * kept by a periodic full sync (`syncServer`, scheduled by `scheduleInventorySync`) and by the
 * console's own writes, so lists, counts and live status are served without upstream scans.
 *
 * @packageDocumentation
 */
export {
  SandboxInventoryStore,
  INVENTORY_PAGE_SIZE,
  INVENTORY_SORTS,
  DEFAULT_REMOVAL_RETENTION_MS,
} from './SandboxInventoryStore';
export type {
  InventoryChanges,
  InventoryEntry,
  InventoryListOptions,
  InventoryListResult,
  InventoryRemoval,
  InventorySort,
  InventorySyncInput,
  InventorySyncRecord,
  SandboxInventoryStoreOptions,
  UpsertPageResult,
} from './SandboxInventoryStore';
export { compileCriteria, criteriaToSql } from './criteriaToSql';
export type { SqlFragment } from './criteriaToSql';
export {
  InventorySyncError,
  MAX_SYNC_PAGES,
  SYNC_PAGE_SIZE,
  syncServer,
} from './syncInventory';
export type {
  FetchInventoryPage,
  SyncServerOptions,
  SyncServerResult,
} from './syncInventory';
export {
  DEFAULT_SYNC_INTERVAL_SECONDS,
  SYNC_INTERVAL_KEY,
  inventorySyncTaskId,
  readSyncIntervalSeconds,
  scheduleInventorySync,
} from './scheduleInventorySync';
export type {
  InventorySyncTarget,
  ScheduleInventorySyncOptions,
} from './scheduleInventorySync';
