import { describe, expect, it } from 'vitest';
import { validateAccountForm } from './validate-account-form';

const valid = { name: 'Ada', email: 'ada@example.com', password: 'long enough' };

describe('validateAccountForm', () => {
  it('accepts complete values', () => {
    expect(validateAccountForm('sign-up', valid)).toEqual({});
    expect(validateAccountForm('setup', valid)).toEqual({});
    expect(validateAccountForm('sign-in', { ...valid, name: '' })).toEqual({});
  });

  it('names each missing field', () => {
    expect(validateAccountForm('sign-up', { name: ' ', email: '', password: '' })).toEqual({
      name: 'Enter your name.',
      email: 'Enter your email address.',
      password: 'Enter your password.',
    });
  });

  it('checks the email shape', () => {
    expect(validateAccountForm('sign-in', { ...valid, email: 'ada@' }).email).toBe(
      'Enter an email address like name@example.com.',
    );
  });

  it('asks new accounts for 8 characters, but lets any old password try to sign in', () => {
    expect(validateAccountForm('sign-up', { ...valid, password: 'short' }).password).toBe(
      'Use at least 8 characters.',
    );
    expect(validateAccountForm('sign-in', { ...valid, password: 'short' })).toEqual({});
    expect(validateAccountForm('sign-in', { ...valid, password: 'x'.repeat(257) }).password).toBe(
      'Use at most 256 characters.',
    );
  });
});
