import { returnPathFrom } from '../../lib/auth-redirect';
import { currentLocation, Link, navigate } from '../../lib/router';
import { useDocumentTitle } from '../../lib/use-document-title';
import { AccountForm } from './account-form';

export function SignInPage() {
  useDocumentTitle('Sign in');
  return (
    <section className="account-page" aria-labelledby="sign-in-heading">
      <h1 id="sign-in-heading">Sign in</h1>
      <AccountForm
        mode="sign-in"
        onDone={() => navigate(returnPathFrom(currentLocation()), { replace: true })}
      />
      <p className="muted">
        No account yet? <Link to="/sign-up">Create one</Link>.
      </p>
    </section>
  );
}
