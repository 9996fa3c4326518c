import { randomUUID } from 'node:crypto';
import {
  deleteProviderKey,
  findProviderKey,
  type KeySource,
  listProviderKeys,
  type ProviderKeyRow,
  type SluiceDatabase,
  saveProviderKey,
} from '@sluice/db';
import { type ProviderKeyView, type ProviderName, providerKeyLimits } from '@sluice/shared';
import { generateEncryptionKeyHint } from '../env';
import { InvalidInputError, NotConfiguredError } from '../errors';
import { DecryptionError, type Encryptor } from '../secrets/encryptor';

export type { KeySource };

/** The key a generation uses, and where it came from. `apiKey` stays on the server. */
export interface ResolvedKey {
  source: KeySource;
  apiKey?: string;
}

export interface ProviderKeyServiceDependencies {
  db: SluiceDatabase;
  /** Undefined when ENCRYPTION_KEY is unset: keys can then be neither stored nor read. */
  encryptor: Encryptor | undefined;
  /** The environment's keys (`OPENROUTER_API_KEY`), used when no stored key applies. */
  environmentKeys: Partial<Record<ProviderName, string>>;
  newId?: () => string;
  now?: () => Date;
}

/**
 * What a stored value is bound to (authenticated with it, not secret): a ciphertext copied to
 * another user's row, or to another provider, does not decrypt.
 */
export function providerKeyContext(userId: string | null, provider: ProviderName): string {
  return `provider-key:${JSON.stringify([provider, userId])}`;
}

const knownPrefixes = ['sk-or-', 'sk-ant-', 'sk-proj-', 'sk-'];

/** `sk-or-…abcd`: the provider's public prefix and the last four characters. */
export function maskProviderKey(key: string): string {
  const prefix = knownPrefixes.find((candidate) => key.startsWith(candidate)) ?? '';
  return `${prefix}…${key.slice(-4)}`;
}

/** Checks a pasted key; surrounding whitespace (a trailing newline) is dropped. Never echoes it. */
export function validateProviderKey(key: string): string {
  const trimmed = key.trim();
  if (trimmed.length === 0) throw new InvalidInputError('Paste the provider key', 'key');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/u.test(trimmed)) {
    throw new InvalidInputError(
      'A provider key has no spaces, line breaks or control characters: paste the key alone',
      'key',
    );
  }
  if (
    trimmed.length < providerKeyLimits.minLength ||
    trimmed.length > providerKeyLimits.maxLength
  ) {
    throw new InvalidInputError(
      `A provider key is ${providerKeyLimits.minLength} to ${providerKeyLimits.maxLength} characters long; this one is ${trimmed.length}`,
      'key',
    );
  }
  return trimmed;
}

function view(row: ProviderKeyRow): ProviderKeyView {
  return { provider: row.provider, masked: row.masked, updatedAt: row.updated_at };
}

export const missingEncryptionKeyMessage = `Set ENCRYPTION_KEY to store provider keys: ${generateEncryptionKeyHint}, set it in the server's environment and restart the server`;

/**
 * Users' and the app's provider keys: stored encrypted, shown masked, read only to pay for
 * a generation. No method returns a key except `resolveKey`, whose answer goes to the
 * upstream request and nowhere else.
 */
export function createProviderKeyService(dependencies: ProviderKeyServiceDependencies) {
  const { db, encryptor, environmentKeys } = dependencies;
  const newId = dependencies.newId ?? randomUUID;
  const now = dependencies.now ?? (() => new Date());

  function requireEncryptor(): Encryptor {
    if (!encryptor) throw new NotConfiguredError(missingEncryptionKeyMessage);
    return encryptor;
  }

  function requireUser(userId: string): string {
    if (userId.length === 0) throw new Error('A user id is required');
    return userId;
  }

  async function save(userId: string | null, provider: ProviderName, key: string) {
    const valid = validateProviderKey(key);
    const row = await saveProviderKey(db, {
      id: newId(),
      userId,
      provider,
      encryptedKey: requireEncryptor().encrypt(valid, providerKeyContext(userId, provider)),
      masked: maskProviderKey(valid),
      now: now(),
    });
    return { provider: row.provider, masked: row.masked };
  }

  async function decrypted(row: ProviderKeyRow): Promise<string> {
    const owner = `${row.user_id === null ? 'The app-wide' : "A user's"} ${row.provider} key`;
    if (!encryptor) {
      throw new NotConfiguredError(
        `${owner} is stored encrypted, but ENCRYPTION_KEY is not set: restart the server with the key it was stored with`,
      );
    }
    try {
      return encryptor.decrypt(row.encrypted_key, providerKeyContext(row.user_id, row.provider));
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      throw new Error(
        `${owner} cannot be decrypted with ENCRYPTION_KEY (${error.message}); was the key rotated while this server ran? Restart it with the current ENCRYPTION_KEY`,
      );
    }
  }

  return {
    setUserKey(userId: string, provider: ProviderName, key: string) {
      return save(requireUser(userId), provider, key);
    },

    async listUserKeys(userId: string): Promise<ProviderKeyView[]> {
      return (await listProviderKeys(db, requireUser(userId))).map(view);
    },

    async deleteUserKey(userId: string, provider: ProviderName): Promise<{ deleted: boolean }> {
      return { deleted: await deleteProviderKey(db, requireUser(userId), provider) };
    },

    /** The app-wide key (the admin's), used by users who stored none. */
    setAppKey(provider: ProviderName, key: string) {
      return save(null, provider, key);
    },

    /**
     * The key that pays for a user's generation: the user's own, else the app-wide one, else
     * the environment's, else none (the simulator, or a keyless OPENROUTER_BASE_URL). Without
     * a user id (no accounts yet), the app-wide key comes first.
     */
    async resolveKey(userId: string | undefined, provider: ProviderName): Promise<ResolvedKey> {
      if (userId) {
        const own = await findProviderKey(db, userId, provider);
        if (own) return { source: 'user', apiKey: await decrypted(own) };
      }
      const app = await findProviderKey(db, null, provider);
      if (app) return { source: 'app', apiKey: await decrypted(app) };
      const environment = environmentKeys[provider];
      if (environment) return { source: 'env', apiKey: environment };
      return { source: 'simulator' };
    },
  };
}

export type ProviderKeyService = ReturnType<typeof createProviderKeyService>;
