import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { FormField } from '../../components/form-field';
import { AuthRequestError, signInWithEmail, signUpWithEmail } from '../../lib/auth-api';
import {
  type AccountFormErrors,
  type AccountFormMode,
  type AccountFormValues,
  validateAccountForm,
} from './validate-account-form';

interface AccountFormProps {
  mode: AccountFormMode;
  /** After the account is signed in and the cache is reset. */
  onDone(): void;
}

const submitLabels: Record<AccountFormMode, string> = {
  'sign-in': 'Sign in',
  'sign-up': 'Create account',
  setup: 'Create the admin account',
};

/** Email and password (and a name for a new account), checked here, then sent to Better Auth. */
export function AccountForm({ mode, onDone }: AccountFormProps) {
  const queryClient = useQueryClient();
  const id = useId();
  const [values, setValues] = useState<AccountFormValues>({ name: '', email: '', password: '' });
  const [errors, setErrors] = useState<AccountFormErrors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const creating = mode !== 'sign-in';

  function change(key: keyof AccountFormValues, value: string) {
    setValues((current) => ({ ...current, [key]: value }));
    if (errors[key]) setErrors((current) => ({ ...current, [key]: undefined }));
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (pending) return;
    const found = validateAccountForm(mode, values);
    setErrors(found);
    setFailure(null);
    if (Object.values(found).some(Boolean)) return;
    setPending(true);
    try {
      const email = values.email.trim();
      if (creating) {
        await signUpWithEmail({ email, password: values.password, name: values.name.trim() });
      } else {
        await signInWithEmail({ email, password: values.password });
      }
      // Nothing cached for the previous visitor (or for nobody) survives the sign-in.
      await queryClient.resetQueries();
      onDone();
    } catch (error) {
      setFailure(error instanceof AuthRequestError ? error.message : String(error));
    } finally {
      setPending(false);
    }
  }

  const fieldError = (key: keyof AccountFormValues) => (errors[key] ? [errors[key]] : undefined);

  return (
    <form className="account-form" onSubmit={onSubmit} noValidate>
      {creating ? (
        <FormField id={`${id}-name`} path="name" label="Name" errors={fieldError('name')}>
          {(control) => (
            <input
              {...control}
              type="text"
              autoComplete="name"
              value={values.name}
              onChange={(event) => change('name', event.target.value)}
            />
          )}
        </FormField>
      ) : null}
      <FormField id={`${id}-email`} path="email" label="Email" errors={fieldError('email')}>
        {(control) => (
          <input
            {...control}
            type="email"
            autoComplete={creating ? 'email' : 'username'}
            spellCheck={false}
            autoCapitalize="off"
            value={values.email}
            onChange={(event) => change('email', event.target.value)}
          />
        )}
      </FormField>
      <FormField
        id={`${id}-password`}
        path="password"
        label="Password"
        hint={creating ? 'At least 8 characters.' : undefined}
        errors={fieldError('password')}
      >
        {(control) => (
          <input
            {...control}
            type="password"
            autoComplete={creating ? 'new-password' : 'current-password'}
            value={values.password}
            onChange={(event) => change('password', event.target.value)}
          />
        )}
      </FormField>
      {failure ? (
        <p className="form-error" role="alert">
          {failure}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button-primary" aria-disabled={pending}>
          {submitLabels[mode]}
        </button>
        <p className="form-progress" role="status">
          {pending ? 'One moment…' : ''}
        </p>
      </div>
    </form>
  );
}
