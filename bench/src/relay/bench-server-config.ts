import { join } from 'node:path';
import { loadConfig, type ServerConfig } from '@sluice/server';
import { benchServerLimits } from './bench-account';

/**
 * The configuration of a Sluice server worker under test: the upstream and data folder the
 * bench passes in, its limits raised (one account holds every stream), defaults elsewhere
 * (FLUSH_INTERVAL_MS 250, timeouts).
 */
export function loadBenchServerConfig(): ServerConfig {
  const upstreamUrl = process.env.BENCH_UPSTREAM_URL;
  const directory = process.env.BENCH_DATA_DIR;
  if (!upstreamUrl || !directory)
    throw new Error('BENCH_UPSTREAM_URL and BENCH_DATA_DIR are set by the bench');
  return loadConfig({
    ...benchServerLimits,
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: join(directory, 'sluice.db'),
    OPENROUTER_BASE_URL: upstreamUrl,
    OPENROUTER_MODEL: 'sluice/simulator',
    LOG_LEVEL: 'silent',
    WEB_DIST_DIR: join(directory, 'no-web'),
  });
}
