export * from './database';
export {
  type DatabaseCheck,
  type DatabaseLogger,
  DatabaseOpenError,
  databaseMarkerPath,
} from './database-file';
export { migrations } from './migrations/index';
export * from './repositories/activity';
export * from './repositories/api-keys';
export * from './repositories/chat-artifacts';
export * from './repositories/chat-messages';
export * from './repositories/chat-sessions';
export {
  type BilledUsage,
  type GenerationOutcome,
  saveBilledUsage,
} from './repositories/generation-outcome';
export * from './repositories/model-prices';
export * from './repositories/plans';
export * from './repositories/provider-keys';
export * from './repositories/quotas';
export * from './repositories/settings';
export * from './repositories/user-settings';
export * from './repositories/users';
export type * from './schema';
