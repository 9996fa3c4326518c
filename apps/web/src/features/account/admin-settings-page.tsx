import { useId } from 'react';
import { describeRequestError, errorCodeOf } from '../../lib/describe-request-error';
import { trpc } from '../../lib/trpc';
import { useDocumentTitle } from '../../lib/use-document-title';
import { ChatDefaultsSection } from './chat-prompts-section';
import { ProviderKeysSection } from './provider-keys-section';

function SignUpSection() {
  const id = useId();
  const utils = trpc.useUtils();
  const settings = trpc.admin.settings.useQuery();
  const update = trpc.admin.updateSettings.useMutation({
    onSuccess: (next) => {
      utils.admin.settings.setData(undefined, next);
      void utils.system.info.invalidate();
    },
  });
  const failure = settings.error ?? update.error;
  return (
    <section className="settings-section" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Accounts</h2>
      <div className="field field-checkbox">
        <input
          id={`${id}-allow`}
          type="checkbox"
          checked={settings.data?.allowSignUp ?? false}
          disabled={!settings.data || update.isPending}
          onChange={(event) => update.mutate({ allowSignUp: event.target.checked })}
          aria-describedby={`${id}-allow-hint`}
        />
        <label htmlFor={`${id}-allow`}>Allow sign-up</label>
        <p className="field-hint" id={`${id}-allow-hint`}>
          When off, only existing accounts can sign in; the sign-up page says it is closed.
        </p>
      </div>
      <p className="form-progress" role="status">
        {update.isPending ? 'Saving…' : update.isSuccess ? 'Saved.' : ''}
      </p>
      {failure ? (
        <p className="form-error" role="alert">
          {describeRequestError(failure)}
        </p>
      ) : null}
    </section>
  );
}

/** What only the admin manages: sign-up, the default chat prompts, the app-wide provider keys. */
export function AdminSettingsPage() {
  useDocumentTitle('Admin settings');
  const me = trpc.account.me.useQuery(undefined, { staleTime: 60_000 });
  if (me.data && me.data.role !== 'admin') {
    return (
      <div className="settings-page">
        <h1>Admin settings</h1>
        <p role="alert">Only the admin can change these settings.</p>
      </div>
    );
  }
  if (me.error && errorCodeOf(me.error) !== 'UNAUTHORIZED') {
    return (
      <p className="form-error" role="alert">
        {describeRequestError(me.error)}
      </p>
    );
  }
  return (
    <div className="settings-page">
      <h1>Admin settings</h1>
      <SignUpSection />
      <ChatDefaultsSection />
      <ProviderKeysSection scope="app" />
    </div>
  );
}

export default AdminSettingsPage;
