export * from './database';
export {
  type DatabaseCheck,
  type DatabaseLogger,
  DatabaseOpenError,
  databaseMarkerPath,
} from './database-file';
export { migrations } from './migrations/index';
export * from './repositories/chat';
export type { GenerationOutcome } from './repositories/generation-outcome';
export * from './repositories/plans';
export * from './repositories/provider-keys';
export type * from './schema';
