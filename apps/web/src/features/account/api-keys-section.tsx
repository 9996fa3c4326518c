import { type FormEvent, useId, useState } from 'react';
import { FormField } from '../../components/form-field';
import { describeRequestError, fieldErrorsOf } from '../../lib/describe-request-error';
import { trpc } from '../../lib/trpc';
import { formatDateTime } from './format-date-time';

/** Keys for other apps (the CLI): each shown once, at creation. */
export function ApiKeysSection() {
  const id = useId();
  const utils = trpc.useUtils();
  const keys = trpc.account.listApiKeys.useQuery();
  const create = trpc.account.createApiKey.useMutation({
    onSuccess: () => utils.account.listApiKeys.invalidate(),
  });
  const revoke = trpc.account.revokeApiKey.useMutation({
    onSuccess: () => utils.account.listApiKeys.invalidate(),
  });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const [copied, setCopied] = useState(false);

  async function onCreate(event: FormEvent) {
    event.preventDefault();
    if (create.isPending) return;
    setCopied(false);
    try {
      const answer = await create.mutateAsync({ name });
      setCreated({ name: name.trim(), key: answer.key });
      setName('');
    } catch {
      // Shown from create.error.
    }
  }

  async function onRevoke(key: { id: string; name: string }) {
    if (!window.confirm(`Revoke the API key "${key.name}"? Apps using it stop working at once.`))
      return;
    try {
      await revoke.mutateAsync({ id: key.id });
    } catch {
      // Shown from revoke.error.
    }
  }

  async function onCopy(key: string) {
    try {
      await navigator.clipboard.writeText(key);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  const nameErrors = fieldErrorsOf(create.error)?.name;
  return (
    <section className="settings-section" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>API keys</h2>
      <p className="muted">
        For other apps, such as the CLI: set <code>SLUICE_API_KEY</code> to a key.
      </p>
      <form className="inline-form" onSubmit={onCreate} noValidate>
        <FormField id={`${id}-name`} path="name" label="Key name" errors={nameErrors}>
          {(control) => (
            <input
              {...control}
              type="text"
              value={name}
              maxLength={100}
              placeholder="My laptop"
              onChange={(event) => setName(event.target.value)}
            />
          )}
        </FormField>
        <button type="submit" className="button button-primary" aria-disabled={create.isPending}>
          Create key
        </button>
      </form>
      {create.error && !nameErrors ? (
        <p className="form-error" role="alert">
          {describeRequestError(create.error)}
        </p>
      ) : null}
      {created ? (
        <div className="new-key" role="status">
          <p>
            <strong>Copy the key "{created.name}" now: it will not be shown again.</strong>
          </p>
          <div className="new-key-value">
            <code data-testid="new-api-key">{created.key}</code>
            <button
              type="button"
              className="button button-small"
              onClick={() => void onCopy(created.key)}
            >
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" className="button button-small" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      {keys.error ? (
        <p className="form-error" role="alert">
          {describeRequestError(keys.error)}
        </p>
      ) : keys.data && keys.data.length === 0 ? (
        <p className="muted">No API keys yet.</p>
      ) : keys.data ? (
        <table className="settings-table">
          <caption className="visually-hidden">Your API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Starts with</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.start}…</code>
                </td>
                <td>{formatDateTime(key.createdAt)}</td>
                <td>{key.lastUsedAt ? formatDateTime(key.lastUsedAt) : 'Never'}</td>
                <td>
                  <button
                    type="button"
                    className="button button-small"
                    aria-label={`Revoke ${key.name}`}
                    onClick={() => void onRevoke(key)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">Loading the keys…</p>
      )}
      {revoke.error ? (
        <p className="form-error" role="alert">
          {describeRequestError(revoke.error)}
        </p>
      ) : null}
    </section>
  );
}
