export { BulkOperations } from './BulkOperations';
export type { BulkOperationsOptions } from './BulkOperations';
export { createBulkRouter } from './bulkRouter';
export { readBulkConfig } from './bulkConfig';
export type { BulkConfig } from './bulkConfig';
export { ConfirmationTokens } from './confirmationTokens';
