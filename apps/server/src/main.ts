import { DatabaseOpenError } from '@sluice/db';
import { createServerApp } from './app';
import { ConfigError, loadConfig } from './env';
import { createLogger } from './logger';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const app = await createServerApp(config, { logger });
  const url = await app.listen();
  logger.info(
    { url, upstream: app.upstreamLabel, model: config.defaultModel },
    `Sluice is listening on ${url}`,
  );
  if (config.upstream.kind === 'simulator') {
    logger.info(
      'No OPENROUTER_API_KEY is set: plans come from the bundled simulator, not a real model',
    );
  }

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  // A bad DATABASE_URL or ENCRYPTION_KEY is a configuration problem: its message says what
  // to do, no stack.
  if (error instanceof DatabaseOpenError || error instanceof ConfigError)
    console.error(error.message);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
