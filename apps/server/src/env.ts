import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value ? value : undefined));

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .optional()
    .transform((value) => (value === undefined ? fallback : ['true', '1', 'yes'].includes(value)));

/** Unset or empty: no limit. */
const optionalLimit = (schema: z.ZodType<number, string>) => optionalText.pipe(schema.optional());

const milliseconds = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

export const generateEncryptionKeyHint =
  "generate one with `openssl rand -base64 32` (or `node -e \"console.log(require('node:crypto').randomBytes(32).toString('base64'))\"`)";

/** 32 bytes written in base64 (or base64url); decoded to a Buffer. */
const encryptionKey = (name: string) =>
  optionalText.transform((value, context) => {
    if (value === undefined) return undefined;
    const decoded = /^[A-Za-z0-9+/_-]+={0,2}$/.test(value)
      ? Buffer.from(value, value.includes('-') || value.includes('_') ? 'base64url' : 'base64')
      : undefined;
    if (decoded?.length !== 32) {
      context.addIssue({
        code: 'custom',
        message: `${name} must be 32 random bytes in base64 (44 characters)${decoded ? `, not ${decoded.length} bytes` : ''}: ${generateEncryptionKeyHint}`,
      });
      return z.NEVER;
    }
    return decoded;
  });

export const defaultOpenRouterModel = 'openai/gpt-4o-mini';
export const simulatorModel = 'sluice/simulator';

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** A SQLite file path (the default), or postgres:// / postgresql:// for PostgreSQL. */
  DATABASE_URL: z
    .string()
    .trim()
    .min(1)
    .default('./data/sluice.db')
    .refine(
      (value) => {
        if (!/^postgres(ql)?:\/\//i.test(value)) return true;
        try {
          const url = new URL(value);
          return url.hostname !== '' && url.pathname.length > 1;
        } catch {
          return false;
        }
      },
      {
        message:
          'a PostgreSQL URL needs a host and a database, such as postgres://sluice:password@db.example:5432/sluice',
      },
    ),
  OPENROUTER_API_KEY: optionalText,
  OPENROUTER_BASE_URL: optionalText.pipe(
    z.url({ message: 'must be a URL such as http://127.0.0.1:8080/v1' }).optional(),
  ),
  OPENROUTER_MODEL: optionalText.pipe(z.string().max(200).optional()),
  /** Comma-separated models OpenRouter falls back to (`models[]`). */
  OPENROUTER_FALLBACK_MODELS: optionalText,
  // Direct providers: `anthropic:<model>` and `openai:<model>` go to them.
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_BASE_URL: optionalText.pipe(
    z.url({ message: 'must be a URL such as https://api.anthropic.com' }).optional(),
  ),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalText.pipe(
    z.url({ message: 'must be a URL such as https://api.openai.com/v1' }).optional(),
  ),
  /** Ceiling on one generation's cost; the stream is stopped before it is crossed. */
  MAX_COST_PER_GENERATION_USD: optionalLimit(z.coerce.number<string>().positive()),
  OPENROUTER_TEMPERATURE: z.coerce.number().min(0).max(2).default(0.7),
  OPENROUTER_MAX_TOKENS: z.coerce.number().int().min(1).max(1_000_000).default(4000),
  STREAMING_TIMEOUT: milliseconds(300_000),
  IDLE_TIMEOUT_MS: milliseconds(60_000),
  ABANDON_AFTER_MS: milliseconds(120_000),
  FLUSH_INTERVAL_MS: milliseconds(250),
  MAX_ACTIVE_GENERATIONS: z.coerce.number().int().min(1).default(2000),
  /** New generations are refused while the event loop's p99 delay is above this. */
  MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int().min(1).default(500),
  SIMULATOR_TOKENS_PER_SECOND: z.coerce.number().positive().default(40),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEB_DIST_DIR: optionalText,
  // Edge limits: request size, batches, slow clients, allowed hosts and origins.
  MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  MAX_BATCH_SIZE: z.coerce.number().int().min(1).default(50),
  REQUEST_BODY_TIMEOUT_MS: milliseconds(30_000),
  PUBLIC_URL: optionalText.pipe(
    z
      .url({ message: 'must be the URL people open, such as https://sluice.example.com' })
      .optional(),
  ),
  ALLOWED_ORIGINS: optionalText,
  // Subscription limits (plan.events + chat.events): caps, and what a slow subscriber may hold.
  MAX_SUBSCRIPTIONS_PER_CLIENT: z.coerce.number().int().min(1).default(100),
  MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).default(10_000),
  MAX_SUBSCRIBER_QUEUE_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  // Accounts.
  BETTER_AUTH_SECRET: optionalText.pipe(
    z
      .string()
      .min(32, { message: 'must be at least 32 characters (try: openssl rand -base64 32)' })
      .optional(),
  ),
  ALLOW_SIGN_UP: flag(true),
  /** Read the client address from X-Forwarded-For (only behind a proxy that sets it). */
  TRUST_PROXY: flag(false),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  AUTH_RATE_LIMIT_PER_IP: z.coerce.number().int().min(1).default(10),
  AUTH_RATE_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  // Per-user quotas (unset = unlimited; the admin overrides them per user) and start rate.
  QUOTA_PLANS_PER_MONTH: optionalLimit(z.coerce.number<string>().int().min(0)),
  QUOTA_REPLIES_PER_DAY: optionalLimit(z.coerce.number<string>().int().min(0)),
  QUOTA_USD_PER_MONTH: optionalLimit(z.coerce.number<string>().min(0)),
  RATE_LIMIT_GENERATIONS_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  // Provider keys stored by users and the admin are encrypted with this key (see README).
  ENCRYPTION_KEY: encryptionKey('ENCRYPTION_KEY'),
  // Several instances: the Redis event bus, cancels between instances, leases on generations.
  REDIS_URL: optionalText.pipe(
    z
      .url({ message: 'must be a Redis URL such as redis://redis.example:6379' })
      .refine((value) => /^rediss?:\/\//i.test(value), {
        message: 'must start with redis:// (or rediss:// for TLS)',
      })
      .optional(),
  ),
  /** A generation whose instance has been silent this long becomes partial (instance-lost). */
  LEASE_TIMEOUT_MS: z.coerce.number().int().min(300).default(15_000),
  // Observability: GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>` when it is set.
  // OpenTelemetry traces, exported over OTLP/HTTP only when the endpoint is set.
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(
    z.url({ message: 'must be the collector URL, such as http://127.0.0.1:4318' }).optional(),
  ),
  OTEL_EXPORTER_OTLP_HEADERS: optionalText,
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('sluice'),
  METRICS_TOKEN: optionalText.pipe(
    z
      .string()
      .min(16, { message: 'must be at least 16 characters (try: openssl rand -hex 32)' })
      .optional(),
  ),
});

// DATABASE_URL and REDIS_URL may hold a password.
const secretVariables = new Set([
  'OPENROUTER_API_KEY',
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'ENCRYPTION_KEY',
  'DATABASE_URL',
  'REDIS_URL',
  'METRICS_TOKEN',
  'OTEL_EXPORTER_OTLP_HEADERS',
]);

export type Env = z.infer<typeof envSchema>;

export type UpstreamConfig =
  | { kind: 'openrouter'; baseUrl: string | undefined; apiKey: string }
  | { kind: 'custom'; baseUrl: string }
  | { kind: 'simulator'; tokensPerSecond: number };

/**
 * A direct provider's settings. Without a key or a base URL, its keyless requests go to the
 * bundled simulator (offline); a user's stored key always reaches the real API.
 */
export interface DirectProviderConfig {
  apiKey: string | undefined;
  baseUrl: string | undefined;
}

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  upstream: UpstreamConfig;
  anthropic: DirectProviderConfig;
  openai: DirectProviderConfig;
  /** Ceiling on one generation's cost in USD (a chat session may set a lower one). */
  maxCostPerGenerationUsd: number | undefined;
  /** Pace of the bundled simulator, whenever a provider runs on it. */
  simulatorTokensPerSecond: number;
  defaultModel: string;
  fallbackModels: string[];
  temperature: number;
  maxTokens: number;
  streamingTimeoutMs: number;
  idleTimeoutMs: number;
  abandonAfterMs: number;
  flushIntervalMs: number;
  maxActiveGenerations: number;
  maxEventLoopDelayMs: number;
  logLevel: Env['LOG_LEVEL'];
  /** The built web app to serve, if it exists. */
  webDistDir: string;
  edge: EdgeConfig;
  subscriptions: {
    maxPerClient: number;
    maxTotal: number;
    maxQueuedBytes: number;
  };
  auth: AuthConfig;
  /** Encrypts stored provider keys; undefined when ENCRYPTION_KEY is unset. */
  encryptionKey: Buffer | undefined;
  /** Set: this instance is one of several sharing PostgreSQL and Redis (API.md "Several instances"). */
  redis: { url: string; leaseTimeoutMs: number } | undefined;
  quotas: QuotaDefaults;
  /** Generations one user may start per minute; 0 = no limit. */
  generationsPerMinute: number;
  /** METRICS_TOKEN: the Bearer token /metrics requires; undefined = open. */
  metricsToken: string | undefined;
  /** OpenTelemetry export; undefined = no tracing at all. */
  tracing: TracingConfig | undefined;
}

export interface TracingConfig {
  /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL. */
  endpoint: string;
  /** OTEL_EXPORTER_OTLP_HEADERS (`key=value,key2=value2`). */
  headers: Record<string, string>;
  serviceName: string;
}

/** `key=value,key2=value2` (values URL-encoded, as the OpenTelemetry spec writes them). */
function parseOtlpHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of (value ?? '').split(',')) {
    if (!entry.trim()) continue;
    const separator = entry.indexOf('=');
    const key = separator > 0 ? entry.slice(0, separator).trim() : '';
    if (!key) {
      throw new ConfigError(
        'Invalid environment:\n  OTEL_EXPORTER_OTLP_HEADERS=(hidden): must be key=value pairs separated by commas\nFix the variable or unset it (see README, Configuration).',
      );
    }
    let headerValue = entry.slice(separator + 1).trim();
    try {
      headerValue = decodeURIComponent(headerValue);
    } catch {
      // Not URL-encoded: kept as written.
    }
    headers[key] = headerValue;
  }
  return headers;
}

/** The limits of users the admin set none for; undefined = unlimited. */
export interface QuotaDefaults {
  plansPerMonth: number | undefined;
  repliesPerDay: number | undefined;
  usdPerMonth: number | undefined;
}

export interface AuthConfig {
  /** BETTER_AUTH_SECRET; when unset, one generated at first boot and kept in the database. */
  secret: string | undefined;
  /** ALLOW_SIGN_UP: whether accounts after the first may be created (until an admin changes it). */
  allowSignUp: boolean;
  /** TRUST_PROXY: take the client address from X-Forwarded-For instead of the socket. */
  trustProxy: boolean;
  rateLimit: {
    windowSeconds: number;
    /** Sign-in and sign-up attempts per IP address per window. */
    perIp: number;
    /** Sign-in and sign-up attempts per account (email) per window. */
    perAccount: number;
  };
}

export interface EdgeConfig {
  maxBodyBytes: number;
  maxBatchSize: number;
  /** Time allowed to receive a request's headers and body. */
  requestBodyTimeoutMs: number;
  /** The origin people open; when unset, `http://<HOST>:<port>` once the port is known. */
  publicOrigin: string | undefined;
  /** Further origins allowed to call the API (and hosts allowed to serve it). */
  allowedOrigins: string[];
}

function parseOrigins(value: string | undefined): string[] {
  const origins: string[] = [];
  for (const entry of (value ?? '').split(',')) {
    const trimmed = entry.trim();
    if (!trimmed) continue;
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new ConfigError(
        `Invalid environment:\n  ALLOWED_ORIGINS: ${JSON.stringify(trimmed)} is not an origin such as https://app.example.com\nFix the variable or unset it (see README, Configuration).`,
      );
    }
    origins.push(url.origin);
  }
  return origins;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** The only place that reads process.env. Fails with a message that says what to fix. */
export function loadConfig(source: Record<string, string | undefined> = process.env): ServerConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      // A secret's value is never repeated, not even a wrong one.
      const shown = secretVariables.has(name) ? '(hidden)' : JSON.stringify(source[name] ?? '');
      return `  ${issue.path.join('.')}=${shown}: ${issue.message}`;
    });
    throw new ConfigError(
      `Invalid environment:\n${problems.join('\n')}\nFix these variables or unset them to use the defaults (see README, Configuration).`,
    );
  }
  const env = parsed.data;
  if (env.REDIS_URL && !/^postgres(ql)?:\/\//i.test(env.DATABASE_URL)) {
    throw new ConfigError(
      'Invalid environment:\n  REDIS_URL is set but DATABASE_URL is a SQLite file: instances that share Redis must share a PostgreSQL database too.\nSet DATABASE_URL=postgres://… or unset REDIS_URL (one instance on SQLite needs no Redis).',
    );
  }
  // pnpm runs scripts inside the package; relative paths mean where the command was typed.
  const workingDirectory = source.INIT_CWD ?? process.cwd();
  const fromWorkingDirectory = (value: string) => {
    // postgres:// URLs (and other databases', for openDatabase to refuse by name) go through as they are.
    if (/^(?!sqlite:|file:)[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
    const path = value.replace(/^(sqlite|file):(\/\/)?/, '');
    return path === ':memory:' || isAbsolute(path) ? path : resolve(workingDirectory, path);
  };
  const upstream: UpstreamConfig = env.OPENROUTER_API_KEY
    ? { kind: 'openrouter', baseUrl: env.OPENROUTER_BASE_URL, apiKey: env.OPENROUTER_API_KEY }
    : env.OPENROUTER_BASE_URL
      ? { kind: 'custom', baseUrl: env.OPENROUTER_BASE_URL }
      : { kind: 'simulator', tokensPerSecond: env.SIMULATOR_TOKENS_PER_SECOND };
  return {
    port: env.PORT,
    host: env.HOST,
    databaseUrl: fromWorkingDirectory(env.DATABASE_URL),
    upstream,
    anthropic: { apiKey: env.ANTHROPIC_API_KEY, baseUrl: env.ANTHROPIC_BASE_URL },
    openai: { apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL },
    maxCostPerGenerationUsd: env.MAX_COST_PER_GENERATION_USD,
    simulatorTokensPerSecond: env.SIMULATOR_TOKENS_PER_SECOND,
    defaultModel:
      env.OPENROUTER_MODEL ??
      (upstream.kind === 'simulator' ? simulatorModel : defaultOpenRouterModel),
    fallbackModels: (env.OPENROUTER_FALLBACK_MODELS ?? '')
      .split(',')
      .map((model) => model.trim())
      .filter(Boolean),
    temperature: env.OPENROUTER_TEMPERATURE,
    maxTokens: env.OPENROUTER_MAX_TOKENS,
    streamingTimeoutMs: env.STREAMING_TIMEOUT,
    idleTimeoutMs: env.IDLE_TIMEOUT_MS,
    abandonAfterMs: env.ABANDON_AFTER_MS,
    flushIntervalMs: env.FLUSH_INTERVAL_MS,
    maxActiveGenerations: env.MAX_ACTIVE_GENERATIONS,
    maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY_MS,
    logLevel: env.LOG_LEVEL,
    webDistDir: env.WEB_DIST_DIR
      ? fromWorkingDirectory(env.WEB_DIST_DIR)
      : fileURLToPath(new URL('../../web/dist', import.meta.url)),
    edge: {
      maxBodyBytes: env.MAX_BODY_BYTES,
      maxBatchSize: env.MAX_BATCH_SIZE,
      requestBodyTimeoutMs: env.REQUEST_BODY_TIMEOUT_MS,
      publicOrigin: env.PUBLIC_URL ? new URL(env.PUBLIC_URL).origin : undefined,
      allowedOrigins: parseOrigins(env.ALLOWED_ORIGINS),
    },
    subscriptions: {
      maxPerClient: env.MAX_SUBSCRIPTIONS_PER_CLIENT,
      maxTotal: env.MAX_SUBSCRIPTIONS,
      maxQueuedBytes: env.MAX_SUBSCRIBER_QUEUE_BYTES,
    },
    auth: {
      secret: env.BETTER_AUTH_SECRET,
      allowSignUp: env.ALLOW_SIGN_UP,
      trustProxy: env.TRUST_PROXY,
      rateLimit: {
        windowSeconds: env.AUTH_RATE_LIMIT_WINDOW_SECONDS,
        perIp: env.AUTH_RATE_LIMIT_PER_IP,
        perAccount: env.AUTH_RATE_LIMIT_PER_ACCOUNT,
      },
    },
    encryptionKey: env.ENCRYPTION_KEY,
    redis: env.REDIS_URL ? { url: env.REDIS_URL, leaseTimeoutMs: env.LEASE_TIMEOUT_MS } : undefined,
    quotas: {
      plansPerMonth: env.QUOTA_PLANS_PER_MONTH,
      repliesPerDay: env.QUOTA_REPLIES_PER_DAY,
      usdPerMonth: env.QUOTA_USD_PER_MONTH,
    },
    generationsPerMinute: env.RATE_LIMIT_GENERATIONS_PER_MINUTE,
    metricsToken: env.METRICS_TOKEN,
    tracing: env.OTEL_EXPORTER_OTLP_ENDPOINT
      ? {
          endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT,
          headers: parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
          serviceName: env.OTEL_SERVICE_NAME,
        }
      : undefined,
  };
}

export interface KeyRotationConfig {
  databaseUrl: string;
  /** The key the stored values are encrypted with now. */
  currentKey: Buffer;
  /** The key to re-encrypt them with. */
  newKey: Buffer;
}

/** The rotation command's settings: the server's DATABASE_URL and ENCRYPTION_KEY, plus NEW_ENCRYPTION_KEY. */
export function loadKeyRotationConfig(
  source: Record<string, string | undefined> = process.env,
): KeyRotationConfig {
  const server = loadConfig(source);
  const newKey = encryptionKey('NEW_ENCRYPTION_KEY').safeParse(source.NEW_ENCRYPTION_KEY);
  const problems: string[] = [];
  if (!server.encryptionKey) {
    problems.push('  ENCRYPTION_KEY: set it to the key the stored values are encrypted with now');
  }
  if (!newKey.success) {
    problems.push(
      `  NEW_ENCRYPTION_KEY: ${newKey.error.issues.map((issue) => issue.message).join('; ')}`,
    );
  } else if (!newKey.data) {
    problems.push(`  NEW_ENCRYPTION_KEY: set it to the new key; ${generateEncryptionKeyHint}`);
  }
  if (!server.encryptionKey || !newKey.success || !newKey.data) {
    throw new ConfigError(`Cannot rotate the encryption key:\n${problems.join('\n')}`);
  }
  return { databaseUrl: server.databaseUrl, currentKey: server.encryptionKey, newKey: newKey.data };
}
