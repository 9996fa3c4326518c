import type { ProviderName } from '@sluice/shared';
import { type FormEvent, useId, useState } from 'react';
import { FormField } from '../../components/form-field';
import { describeRequestError, fieldErrorsOf } from '../../lib/describe-request-error';
import { trpc } from '../../lib/trpc';
import { formatDateTime } from './format-date-time';

const providers: ReadonlyArray<{ name: ProviderName; label: string; placeholder: string }> = [
  { name: 'openrouter', label: 'OpenRouter', placeholder: 'sk-or-…' },
  { name: 'anthropic', label: 'Anthropic', placeholder: 'sk-ant-…' },
  { name: 'openai', label: 'OpenAI', placeholder: 'sk-…' },
];

interface ProviderKeysSectionProps {
  /** The caller's own keys, or (admin) the app-wide keys used by users who stored none. */
  scope: 'user' | 'app';
}

/** Provider keys: stored encrypted, shown masked, never sent back to the browser. */
export function ProviderKeysSection({ scope }: ProviderKeysSectionProps) {
  const id = useId();
  const utils = trpc.useUtils();
  const list = trpc.account.listProviderKeys.useQuery(undefined, { enabled: scope === 'user' });
  const onChanged = () => utils.account.listProviderKeys.invalidate();
  const setUserKey = trpc.account.setProviderKey.useMutation({ onSuccess: onChanged });
  const setAppKey = trpc.admin.setProviderKey.useMutation();
  const deleteKey = trpc.account.deleteProviderKey.useMutation({ onSuccess: onChanged });
  const setKey = scope === 'user' ? setUserKey : setAppKey;
  const [drafts, setDrafts] = useState<Partial<Record<ProviderName, string>>>({});
  const [editing, setEditing] = useState<ProviderName | null>(null);
  const [savedApp, setSavedApp] = useState<Partial<Record<ProviderName, string>>>({});

  async function onSave(event: FormEvent, provider: ProviderName) {
    event.preventDefault();
    if (setKey.isPending) return;
    try {
      const answer = await setKey.mutateAsync({ provider, key: drafts[provider] ?? '' });
      setDrafts((current) => ({ ...current, [provider]: '' }));
      setEditing(null);
      if (scope === 'app') setSavedApp((current) => ({ ...current, [provider]: answer.masked }));
    } catch {
      // Shown from the mutation's error.
    }
  }

  async function onDelete(provider: ProviderName, label: string) {
    if (!window.confirm(`Delete your ${label} key?`)) return;
    try {
      await deleteKey.mutateAsync({ provider });
    } catch {
      // Shown from deleteKey.error.
    }
  }

  const failure = setKey.error ?? deleteKey.error ?? list.error;
  const keyErrors = fieldErrorsOf(setKey.error)?.key;
  return (
    <section className="settings-section" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{scope === 'user' ? 'Provider keys' : 'App-wide provider keys'}</h2>
      <p className="muted">
        {scope === 'user'
          ? 'Your own keys pay for your generations. Without one, the app-wide key (or the offline simulator) is used.'
          : 'Used by every user who stored no key of their own. Setting one replaces the stored key.'}{' '}
        Keys are stored encrypted and only their masked form is ever shown.
      </p>
      {failure && !keyErrors ? (
        <p className="form-error" role="alert">
          {describeRequestError(failure)}
        </p>
      ) : null}
      <ul className="provider-keys">
        {providers.map(({ name, label, placeholder }) => {
          const stored =
            scope === 'user'
              ? list.data?.find((key) => key.provider === name)
              : savedApp[name]
                ? { masked: savedApp[name], updatedAt: null }
                : undefined;
          const open = editing === name || (scope === 'app' && !stored);
          return (
            <li key={name} className="provider-key">
              <div className="provider-key-summary">
                <strong>{label}</strong>{' '}
                {stored ? (
                  <span>
                    <code>{stored.masked}</code>
                    {stored.updatedAt ? (
                      <span className="muted"> · saved {formatDateTime(stored.updatedAt)}</span>
                    ) : null}
                  </span>
                ) : scope === 'user' ? (
                  <span className="muted">No key</span>
                ) : null}
                {!open ? (
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => setEditing(name)}
                  >
                    {stored ? `Replace ${label} key` : `Add ${label} key`}
                  </button>
                ) : null}
                {scope === 'user' && stored ? (
                  <button
                    type="button"
                    className="button button-small"
                    onClick={() => void onDelete(name, label)}
                  >
                    Delete {label} key
                  </button>
                ) : null}
              </div>
              {open ? (
                <form
                  className="inline-form"
                  onSubmit={(event) => void onSave(event, name)}
                  noValidate
                >
                  <FormField
                    id={`${id}-${name}`}
                    path="key"
                    label={`${label} key`}
                    errors={setKey.variables?.provider === name ? keyErrors : undefined}
                  >
                    {(control) => (
                      <input
                        {...control}
                        type="password"
                        autoComplete="off"
                        spellCheck={false}
                        placeholder={placeholder}
                        value={drafts[name] ?? ''}
                        onChange={(event) =>
                          setDrafts((current) => ({ ...current, [name]: event.target.value }))
                        }
                      />
                    )}
                  </FormField>
                  <button
                    type="submit"
                    className="button button-primary"
                    aria-disabled={setKey.isPending}
                  >
                    Save {label} key
                  </button>
                  {scope === 'user' || stored ? (
                    <button
                      type="button"
                      className="button button-small"
                      onClick={() => setEditing(null)}
                    >
                      Cancel
                    </button>
                  ) : null}
                </form>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
