import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Fields that may hold a credential, censored wherever they appear in a log line: provider
 * keys (a request's `apiKey`, a procedure's `input.key`), their ciphertexts, and HTTP
 * credentials.
 */
export const redactedLogPaths = [
  'apiKey',
  '*.apiKey',
  '*.*.apiKey',
  'key',
  'input.key',
  '*.input.key',
  'encryptedKey',
  '*.encryptedKey',
  'encrypted_key',
  '*.encrypted_key',
  'authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
];

/** The server's logger: JSON lines, with credentials censored. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'sluice' },
    redact: { paths: redactedLogPaths, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
