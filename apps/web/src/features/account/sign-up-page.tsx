import { Link, navigate } from '../../lib/router';
import { trpc } from '../../lib/trpc';
import { useDocumentTitle } from '../../lib/use-document-title';
import { AccountForm } from './account-form';

export function SignUpPage() {
  useDocumentTitle('Create an account');
  const info = trpc.system.info.useQuery(undefined, { staleTime: 60_000 });
  const closed = info.data?.allowSignUp === false;
  return (
    <section className="account-page" aria-labelledby="sign-up-heading">
      <h1 id="sign-up-heading">Create an account</h1>
      {closed ? (
        <p className="form-error" role="alert">
          Sign-up is closed on this server. Ask its admin for an account.
        </p>
      ) : (
        <AccountForm mode="sign-up" onDone={() => navigate('/', { replace: true })} />
      )}
      <p className="muted">
        Have an account? <Link to="/sign-in">Sign in</Link>.
      </p>
    </section>
  );
}
