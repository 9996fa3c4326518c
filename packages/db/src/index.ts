export * from './database';
export { migrations } from './migrations/index';
export * from './repositories/chat';
export * from './repositories/plans';
export type * from './schema';
