/**
 * Expiry warnings: a scheduled task that notifies owners and teams before their sandboxes expire,
 * with the sent state in the database.
 *
 * @packageDocumentation
 */
export {
  EXPIRY_WARNINGS_TASK_ID,
  EXPIRY_WARNING_TOPIC,
  ExpiryWarnings,
  dueLeadMinutes,
  formatDuration,
  recipientsOf,
  renewLink,
  scheduleExpiryWarnings,
} from './ExpiryWarnings';
export type {
  ExpiryWarningsOptions,
  ExpiryWarningsRunResult,
} from './ExpiryWarnings';
export {
  EXPIRY_WARNINGS_TABLE,
  ExpiryWarningStore,
} from './ExpiryWarningStore';
export type {
  ExpiryWarningKey,
  ExpiryWarningRecord,
} from './ExpiryWarningStore';
export {
  EXPIRY_WARNINGS_KEY,
  EXPIRY_WARNING_DEFAULTS,
  readExpiryWarningsConfig,
} from './expiryWarningsConfig';
export type { ExpiryWarningsConfig } from './expiryWarningsConfig';
