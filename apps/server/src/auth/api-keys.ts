import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  deleteApiKey,
  findApiKeyByHash,
  insertApiKey,
  listApiKeys,
  type SluiceDatabase,
  touchApiKey,
} from '@sluice/db';
import type { Caller } from './caller';

/** Recognisable in logs and secret scanners; the rest is 32 random bytes. */
export const apiKeyPrefix = 'sk-sluice-';
const startLength = apiKeyPrefix.length + 6;
/** `last_used_at` is written at most this often per key (it is a hint, not an audit log). */
const touchIntervalMs = 60_000;

export interface ApiKeyView {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it. */
  start: string;
  createdAt: string;
  lastUsedAt: string | null;
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * API keys for other apps and the CLI: `sk-sluice-` + 32 random bytes (base64url). Only a
 * SHA-256 hash is stored (a key has 256 bits of entropy, so a slow hash adds nothing); the
 * lookup is by the hash and the match is confirmed with a constant-time comparison.
 */
export function createApiKeys(options: { db: SluiceDatabase; now?: () => Date }) {
  const { db } = options;
  const now = options.now ?? (() => new Date());
  /**
   * When this process last recorded each key's use. Set before the write is awaited, so a
   * burst of requests with one key (thousands of subscriptions connecting at once) writes
   * `last_used_at` once, not once per request that read the old value.
   */
  const touchedAt = new Map<string, number>();

  return {
    /** The key is returned here once and never again. */
    async create(userId: string, name: string): Promise<{ id: string; key: string }> {
      const key = `${apiKeyPrefix}${randomBytes(32).toString('base64url')}`;
      const row = await insertApiKey(db, {
        id: randomUUID(),
        userId,
        name,
        start: key.slice(0, startLength),
        keyHash: hashKey(key),
        now: now(),
      });
      return { id: row.id, key };
    },

    async list(userId: string): Promise<ApiKeyView[]> {
      return (await listApiKeys(db, userId)).map((row) => ({
        id: row.id,
        name: row.name,
        start: row.start,
        createdAt: row.created_at,
        lastUsedAt: row.last_used_at,
      }));
    },

    /** False when the user has no key with this id (another user's key included). */
    revoke(userId: string, id: string): Promise<boolean> {
      return deleteApiKey(db, { userId, id });
    },

    /** The key's owner, or null for an unknown (or revoked) key. */
    async verify(key: string): Promise<Caller | null> {
      if (!key.startsWith(apiKeyPrefix) || key.length > 200) return null;
      const hash = hashKey(key);
      const found = await findApiKeyByHash(db, hash);
      if (!found) return null;
      if (!timingSafeEqual(Buffer.from(found.key.key_hash), Buffer.from(hash))) return null;
      const current = now();
      const lastUsed = Math.max(
        found.key.last_used_at ? Date.parse(found.key.last_used_at) : 0,
        touchedAt.get(found.key.id) ?? 0,
      );
      if (current.getTime() - lastUsed > touchIntervalMs) {
        touchedAt.set(found.key.id, current.getTime());
        await touchApiKey(db, { id: found.key.id, now: current });
      }
      return {
        userId: found.user.id,
        email: found.user.email,
        name: found.user.name,
        role: found.user.role,
        via: 'api-key',
      };
    },
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
