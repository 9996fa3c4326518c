import { claimFirstAdmin, type SluiceDatabase } from '@sluice/db';
import { betterAuth } from 'better-auth';
import { APIError, createAuthMiddleware } from 'better-auth/api';
import type { Logger } from 'pino';
import type { AccountRateLimit } from './account-rate-limit';
import type { AccountSettingsService } from './app-settings';
import { createRateLimitStorage } from './rate-limit-storage';

/** The header the HTTP server sets (overwriting any a client sent) to the caller's address. */
export const clientIpHeader = 'x-sluice-client-ip';

export const authBasePath = '/api/auth';

export interface AuthRateLimitConfig {
  /** Sign-in and sign-up requests per IP address per window (Better Auth's limiter). */
  perIp: number;
  windowSeconds: number;
}

export interface CreateAuthOptions {
  db: SluiceDatabase;
  secret: string;
  /** The public origin (PUBLIC_URL, or http://HOST:PORT). */
  baseUrl: string;
  /** Origins allowed to call /api/auth with cookies (the origin policy's). */
  trustedOrigins: readonly string[];
  rateLimit: AuthRateLimitConfig;
  accountRateLimit: AccountRateLimit;
  accountSettings: AccountSettingsService;
  logger: Logger;
  now?: () => Date;
}

/** Paths whose attempts count against both the IP and the account limit. */
const credentialPaths = ['/sign-in/email', '/sign-up/email'] as const;

/**
 * Better Auth on our Kysely instance: email + password, sessions in httpOnly SameSite=Lax
 * cookies (Secure when the public URL is https), no telemetry. Its tables are created by our
 * migration `2026-12-01-001-accounts` under snake_case names, mapped below.
 */
export function createAuth(options: CreateAuthOptions) {
  const { db, accountRateLimit, accountSettings, logger } = options;
  const now = options.now ?? (() => new Date());
  const secure = new URL(options.baseUrl).protocol === 'https:';
  const credentialRule = {
    window: options.rateLimit.windowSeconds,
    max: options.rateLimit.perIp,
  };
  return betterAuth({
    appName: 'Sluice',
    baseURL: options.baseUrl,
    basePath: authBasePath,
    secret: options.secret,
    trustedOrigins: [...options.trustedOrigins],
    database: { db, type: 'sqlite' },
    telemetry: { enabled: false },
    logger: {
      log(level, message, ...args) {
        logger[level]({ args }, `auth: ${message}`);
      },
    },
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: 8,
      maxPasswordLength: 256,
    },
    session: {
      modelName: 'sessions',
      fields: {
        userId: 'user_id',
        expiresAt: 'expires_at',
        ipAddress: 'ip_address',
        userAgent: 'user_agent',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
    },
    user: {
      modelName: 'users',
      fields: {
        emailVerified: 'email_verified',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
      additionalFields: {
        // Set by us (the first account becomes the admin), never by the sign-up body.
        role: { type: 'string', required: false, defaultValue: 'user', input: false },
      },
    },
    account: {
      modelName: 'accounts',
      fields: {
        userId: 'user_id',
        accountId: 'account_id',
        providerId: 'provider_id',
        accessToken: 'access_token',
        refreshToken: 'refresh_token',
        idToken: 'id_token',
        accessTokenExpiresAt: 'access_token_expires_at',
        refreshTokenExpiresAt: 'refresh_token_expires_at',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
    },
    verification: {
      modelName: 'verifications',
      fields: { expiresAt: 'expires_at', createdAt: 'created_at', updatedAt: 'updated_at' },
    },
    rateLimit: {
      enabled: true,
      customStorage: createRateLimitStorage(),
      window: 60,
      max: 300,
      customRules: Object.fromEntries(credentialPaths.map((path) => [path, credentialRule])),
    },
    advanced: {
      cookiePrefix: 'sluice',
      useSecureCookies: secure,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure },
      // Only the address the HTTP server wrote (the socket's, or the proxy's when TRUST_PROXY).
      ipAddress: { ipAddressHeaders: [clientIpHeader] },
    },
    hooks: {
      before: createAuthMiddleware(async (context) => {
        if (!credentialPaths.includes(context.path as (typeof credentialPaths)[number])) return;
        const email: unknown = context.body?.email;
        if (typeof email !== 'string') return;
        const retryAfterSeconds = await accountRateLimit.consume(email);
        if (retryAfterSeconds !== null) {
          throw new APIError(
            'TOO_MANY_REQUESTS',
            {
              message: `Too many attempts for this account; try again in ${retryAfterSeconds} s.`,
            },
            { 'Retry-After': String(retryAfterSeconds) },
          );
        }
      }),
    },
    databaseHooks: {
      user: {
        create: {
          async before(user) {
            if (!(await accountSettings.mayCreateAccount())) {
              throw new APIError('FORBIDDEN', {
                message: 'Sign-up is closed on this server; ask its admin for an account.',
              });
            }
            return { data: { ...user, role: 'user' } };
          },
          async after(user) {
            // The first account becomes the admin and takes the rows from before accounts.
            const claimed = await claimFirstAdmin(db, { userId: user.id, now: now() });
            if (claimed) logger.info({ userId: user.id }, 'the first account is the admin');
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;
