import { navigate } from '../../lib/router';
import { useDocumentTitle } from '../../lib/use-document-title';
import { AccountForm } from './account-form';

/** A fresh server's first visit, on every route: the first account becomes the admin. */
export function SetupPage() {
  useDocumentTitle('Create the admin account');
  return (
    <section className="account-page" aria-labelledby="setup-heading">
      <h1 id="setup-heading">Create the admin account</h1>
      <p className="muted">
        No account exists on this server yet. The first one manages it: sign-up, default prompts and
        app-wide provider keys.
      </p>
      <AccountForm mode="setup" onDone={() => navigate('/', { replace: true })} />
    </section>
  );
}
