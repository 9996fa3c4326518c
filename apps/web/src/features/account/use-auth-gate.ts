import { useEffect } from 'react';
import { decideGate, type GateDecision, type GateState } from '../../lib/auth-redirect';
import { navigate, type Route, useLocation } from '../../lib/router';
import { isUnauthorizedError, trpc } from '../../lib/trpc';

export interface AuthGate {
  decision: GateDecision;
  user: { id: string; name: string; email: string; role: string } | undefined;
  /** A failure that is not "signed out" (server unreachable…), to show instead of waiting. */
  error: unknown;
}

/** Whether the route may show, from system.info and account.me; follows its redirects. */
export function useAuthGate(route: Route): AuthGate {
  const location = useLocation();
  const info = trpc.system.info.useQuery(undefined, { staleTime: 60_000 });
  const needsSetup = info.data?.needsSetup;
  const me = trpc.account.me.useQuery(undefined, {
    enabled: needsSetup === false,
    staleTime: 60_000,
  });
  const signedOut = me.isError && isUnauthorizedError(me.error);
  const session: GateState['session'] = signedOut
    ? 'signed-out'
    : me.data && !me.isError
      ? 'signed-in'
      : 'unknown';
  const decision = decideGate(route, location, { needsSetup, session });

  const redirectTo = decision.kind === 'redirect' ? decision.to : null;
  useEffect(() => {
    if (redirectTo !== null) navigate(redirectTo, { replace: true });
  }, [redirectTo]);

  const error = info.error ?? (me.isError && !signedOut ? me.error : null);
  return { decision, user: session === 'signed-in' ? me.data : undefined, error };
}
