export type AccountFormMode = 'sign-in' | 'sign-up' | 'setup';

export interface AccountFormValues {
  name: string;
  email: string;
  password: string;
}

export type AccountFormErrors = Partial<Record<keyof AccountFormValues, string>>;

/** The server's bounds (Better Auth: 8 to 256 characters). */
export const minPasswordLength = 8;
export const maxPasswordLength = 256;

/** Field errors to show before sending; empty when the form may go. */
export function validateAccountForm(
  mode: AccountFormMode,
  values: AccountFormValues,
): AccountFormErrors {
  const errors: AccountFormErrors = {};
  const creating = mode !== 'sign-in';
  if (creating && values.name.trim() === '') errors.name = 'Enter your name.';
  else if (creating && values.name.trim().length > 100) errors.name = 'Use at most 100 characters.';
  const email = values.email.trim();
  if (email === '') errors.email = 'Enter your email address.';
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254)
    errors.email = 'Enter an email address like name@example.com.';
  if (values.password === '') errors.password = 'Enter your password.';
  else if (creating && values.password.length < minPasswordLength)
    errors.password = `Use at least ${minPasswordLength} characters.`;
  else if (values.password.length > maxPasswordLength)
    errors.password = `Use at most ${maxPasswordLength} characters.`;
  return errors;
}
