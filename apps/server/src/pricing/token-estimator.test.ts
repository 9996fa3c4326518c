import { describe, expect, it } from 'vitest';
import { countPromptTokens, countTextTokens } from './token-estimator';

describe('token counting for a stopped stream', () => {
  it('counts by the o200k_base encoding, not characters ÷ 4', () => {
    // "hello world" is two tokens; ÷4 would say three.
    expect(countTextTokens('hello world')).toBe(2);
    expect(countTextTokens('')).toBe(0);
  });

  it('counts text that looks like a special token as text', () => {
    expect(countTextTokens('a <|endoftext|> b')).toBeGreaterThan(3);
  });

  it('counts every prompt message with its framing', () => {
    const messages = [
      { role: 'system' as const, content: 'You are helpful.' },
      { role: 'user' as const, content: 'hello world' },
    ];
    expect(countPromptTokens(messages)).toBe(3 + 4 + countTextTokens('You are helpful.') + 4 + 2);
  });
});
