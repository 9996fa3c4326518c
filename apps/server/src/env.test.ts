import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './env';

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

  it('resolves relative database paths from where the command was typed', () => {
    expect(loadConfig({ INIT_CWD: '/home/me', DATABASE_URL: 'plans.db' }).databaseUrl).toBe(
      '/home/me/plans.db',
    );
    expect(loadConfig({ DATABASE_URL: 'sqlite:///tmp/x.db' }).databaseUrl).toBe('/tmp/x.db');
    expect(loadConfig({ DATABASE_URL: ':memory:' }).databaseUrl).toBe(':memory:');
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
