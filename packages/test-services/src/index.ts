export { findFreePort } from './free-port';
export {
  createPostgresDatabase,
  findPostgresBinaries,
  type PostgresBinaries,
  type RunningPostgres,
  startPostgres,
} from './start-postgres';
export { findRedisServer, type RunningRedis, startRedis } from './start-redis';
export { ensureSystemPackage, MissingServiceError } from './system-package';
