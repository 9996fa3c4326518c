import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { signOut } from '../../lib/auth-api';
import { Link, navigate } from '../../lib/router';

interface AccountMenuProps {
  user: { name: string; email: string; role: string };
}

/** Who is signed in, their settings, the admin's settings, and Sign out. */
export function AccountMenu({ user }: AccountMenuProps) {
  const queryClient = useQueryClient();
  const menuRef = useRef<HTMLDetailsElement>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const close = () => menuRef.current?.removeAttribute('open');

  async function onSignOut() {
    setFailure(null);
    try {
      await signOut();
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
      return;
    }
    close();
    // The next user of this tab sees nothing of this one's plans and chats: every cached answer
    // goes, and account.me now answers UNAUTHORIZED.
    await queryClient.resetQueries();
    navigate('/sign-in', { replace: true });
  }

  return (
    <details className="account-menu" ref={menuRef}>
      <summary aria-label={`Account: ${user.name}`}>{user.name}</summary>
      <div className="account-menu-panel">
        <p className="account-menu-who">
          <strong>{user.name}</strong>
          <br />
          <span className="muted">{user.email}</span>
        </p>
        <ul>
          <li>
            <Link to="/settings" onClick={close}>
              Settings
            </Link>
          </li>
          {user.role === 'admin' ? (
            <li>
              <Link to="/admin/settings" onClick={close}>
                Admin settings
              </Link>
            </li>
          ) : null}
          {user.role === 'admin' ? (
            <li>
              <Link to="/admin/activity" onClick={close}>
                Activity
              </Link>
            </li>
          ) : null}
          <li>
            <button type="button" className="button button-small" onClick={() => void onSignOut()}>
              Sign out
            </button>
          </li>
        </ul>
        {failure ? (
          <p className="form-error" role="alert">
            {failure}
          </p>
        ) : null}
      </div>
    </details>
  );
}
