import { describe, expect, it } from 'vitest';
import { describeAuthFailure } from './auth-api';

describe('describeAuthFailure', () => {
  it("shows Better Auth's message plainly", () => {
    expect(
      describeAuthFailure(401, { code: 'X', message: 'Invalid email or password' }, null),
    ).toBe('Invalid email or password.');
    expect(
      describeAuthFailure(
        403,
        { message: 'Sign-up is closed on this server; ask its admin for an account.' },
        null,
      ),
    ).toBe('Sign-up is closed on this server; ask its admin for an account.');
  });

  it('says when to try again after too many attempts', () => {
    expect(
      describeAuthFailure(429, { message: 'Too many requests. Please try again later.' }, '42'),
    ).toBe('Too many attempts; try again in 42 s.');
    expect(
      describeAuthFailure(
        429,
        { message: 'Too many attempts for this account; try again in 9 s.' },
        '9',
      ),
    ).toBe('Too many attempts for this account; try again in 9 s.');
    expect(describeAuthFailure(429, null, null)).toBe('Too many attempts; try again in a minute.');
  });

  it('falls back to a sentence when the body says nothing', () => {
    expect(describeAuthFailure(403, null, null)).toBe('Sign-up is closed on this server.');
    expect(describeAuthFailure(500, 'oops', null)).toBe(
      'The server refused this (HTTP 500). Try again.',
    );
  });
});
