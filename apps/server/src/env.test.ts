import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, loadKeyRotationConfig } from './env';

describe('loadConfig', () => {
  it('runs offline against the bundled simulator when no key or URL is set', () => {
    const config = loadConfig({ INIT_CWD: '/srv/app' });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: '/srv/app/data/sluice.db',
      upstream: { kind: 'simulator', tokensPerSecond: 40 },
      defaultModel: 'sluice/simulator',
      temperature: 0.7,
      maxTokens: 4000,
      streamingTimeoutMs: 300_000,
    });
  });

  it('uses OpenRouter with a key, and a custom upstream without one', () => {
    expect(loadConfig({ OPENROUTER_API_KEY: 'sk-1' })).toMatchObject({
      upstream: { kind: 'openrouter', apiKey: 'sk-1', baseUrl: undefined },
      defaultModel: 'openai/gpt-4o-mini',
    });
    expect(
      loadConfig({ OPENROUTER_BASE_URL: 'http://127.0.0.1:8080/v1', OPENROUTER_MODEL: 'llama' }),
    ).toMatchObject({
      upstream: { kind: 'custom', baseUrl: 'http://127.0.0.1:8080/v1' },
      defaultModel: 'llama',
    });
  });

  it('treats empty variables as unset and splits fallback models', () => {
    const config = loadConfig({
      OPENROUTER_API_KEY: '',
      OPENROUTER_FALLBACK_MODELS: ' a/b , c/d ,',
    });
    expect(config.upstream.kind).toBe('simulator');
    expect(config.fallbackModels).toEqual(['a/b', 'c/d']);
  });

  it('reads METRICS_TOKEN, refuses a short one and never repeats it', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: ' 0123456789abcdef0123 ' }).metricsToken).toBe(
      '0123456789abcdef0123',
    );
    expect(() => loadConfig({ METRICS_TOKEN: 'short-secret' })).toThrow(
      /METRICS_TOKEN=\(hidden\): must be at least 16 characters/,
    );
  });

  it('traces only with OTEL_EXPORTER_OTLP_ENDPOINT, reading the headers the spec way', () => {
    expect(loadConfig({}).tracing).toBeUndefined();
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=a%20b, x-team = ops',
      }).tracing,
    ).toEqual({
      endpoint: 'http://collector:4318',
      headers: { 'api-key': 'a b', 'x-team': 'ops' },
      serviceName: 'sluice',
    });
    expect(() =>
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'secret',
      }),
    ).toThrow(/OTEL_EXPORTER_OTLP_HEADERS=\(hidden\)/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT.*collector URL/,
    );
  });

  it('resolves relative database paths from where the command was typed', () => {
    expect(loadConfig({ INIT_CWD: '/home/me', DATABASE_URL: 'plans.db' }).databaseUrl).toBe(
      '/home/me/plans.db',
    );
    expect(loadConfig({ DATABASE_URL: 'sqlite:///tmp/x.db' }).databaseUrl).toBe('/tmp/x.db');
    expect(loadConfig({ DATABASE_URL: ':memory:' }).databaseUrl).toBe(':memory:');
  });

  it('takes a PostgreSQL URL as it is, and refuses one without a database, hiding its password', () => {
    const url = 'postgres://sluice:s3cret@db.example:5432/sluice?sslmode=require';
    expect(loadConfig({ INIT_CWD: '/home/me', DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ DATABASE_URL: 'postgresql://db.example/sluice' }).databaseUrl).toBe(
      'postgresql://db.example/sluice',
    );
    const attempt = () => loadConfig({ DATABASE_URL: 'postgres://sluice:s3cret@db.example:5432' });
    expect(attempt).toThrow(
      'DATABASE_URL=(hidden): a PostgreSQL URL needs a host and a database, such as postgres://sluice:password@db.example:5432/sluice',
    );
    expect(attempt).not.toThrow(/s3cret/);
  });

  it('fails with a message naming each bad variable and how to fix it', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', OPENROUTER_TEMPERATURE: '9', OPENROUTER_BASE_URL: 'not a url' });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(message).toMatch(/PORT="eighty"/);
    expect(message).toMatch(/OPENROUTER_TEMPERATURE="9"/);
    expect(message).toMatch(/OPENROUTER_BASE_URL="not a url": must be a URL/);
    expect(message).toMatch(/unset them to use the defaults/);
  });
});

describe('ENCRYPTION_KEY', () => {
  const key = Buffer.alloc(32, 7);

  it('is optional, and decoded from base64 or base64url when set', () => {
    expect(loadConfig({}).encryptionKey).toBeUndefined();
    expect(loadConfig({ ENCRYPTION_KEY: key.toString('base64') }).encryptionKey).toEqual(key);
    const urlSafe = Buffer.alloc(32, 0xfb);
    expect(loadConfig({ ENCRYPTION_KEY: urlSafe.toString('base64url') }).encryptionKey).toEqual(
      urlSafe,
    );
  });

  it.each([
    ['too short', Buffer.alloc(16, 1).toString('base64'), /not 16 bytes/],
    ['too long', Buffer.alloc(48, 1).toString('base64'), /not 48 bytes/],
    ['not base64', 'this is not a key at all, only words!!', /32 random bytes in base64/],
  ])(
    'refuses a key that is %s, saying how to generate one, without repeating it',
    (_name, value, message) => {
      let error: unknown;
      try {
        loadConfig({ ENCRYPTION_KEY: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as Error).message;
      expect(text).toMatch(message);
      expect(text).toContain('openssl rand -base64 32');
      expect(text).not.toContain(value);
    },
  );
});

describe('loadKeyRotationConfig', () => {
  const current = Buffer.alloc(32, 1).toString('base64');
  const next = Buffer.alloc(32, 2).toString('base64');

  it('reads both keys and the database', () => {
    const config = loadKeyRotationConfig({
      DATABASE_URL: '/tmp/x.db',
      ENCRYPTION_KEY: current,
      NEW_ENCRYPTION_KEY: next,
    });
    expect(config).toEqual({
      databaseUrl: '/tmp/x.db',
      currentKey: Buffer.alloc(32, 1),
      newKey: Buffer.alloc(32, 2),
    });
  });

  it('names each missing or malformed key', () => {
    expect(() => loadKeyRotationConfig({ NEW_ENCRYPTION_KEY: next })).toThrow(
      /ENCRYPTION_KEY: set it to the key the stored values are encrypted with now/,
    );
    expect(() => loadKeyRotationConfig({ ENCRYPTION_KEY: current })).toThrow(
      /NEW_ENCRYPTION_KEY: set it to the new key/,
    );
    expect(() =>
      loadKeyRotationConfig({ ENCRYPTION_KEY: current, NEW_ENCRYPTION_KEY: 'short' }),
    ).toThrow(/NEW_ENCRYPTION_KEY must be 32 random bytes/);
  });
});
