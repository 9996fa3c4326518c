import { lazy, Suspense } from 'react';
import { PageNotFound } from './components/page-not-found';
import { SimulatedBadge } from './components/simulated-badge';
import { AccountMenu } from './features/account/account-menu';
import { SetupPage } from './features/account/setup-page';
import { SignInPage } from './features/account/sign-in-page';
import { SignUpPage } from './features/account/sign-up-page';
import { useAuthGate } from './features/account/use-auth-gate';
import { HomePage } from './features/plans/home-page';
import { PlanPage } from './features/plans/plan-page';
import { describeRequestError } from './lib/describe-request-error';
import { Link, type Route, useRoute } from './lib/router';

// Its own chunk: the markdown renderer and the chat screens load only when chat opens.
const ChatPage = lazy(() => import('./features/chat/chat-page'));
// Settings pages are visited rarely: their own chunks too.
const SettingsPage = lazy(() => import('./features/account/settings-page'));
const AdminSettingsPage = lazy(() => import('./features/account/admin-settings-page'));
// The admin's activity page with its charts (uPlot): loaded only when an admin opens it.
const ActivityPage = lazy(() => import('./features/activity/activity-page'));

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'plan':
      // A new key per plan: nothing of one plan's page state leaks into the next.
      return <PlanPage key={route.planId} planId={route.planId} />;
    case 'chat':
      return (
        <Suspense fallback={<p className="muted">Loading the chat…</p>}>
          <ChatPage sessionId={route.sessionId} />
        </Suspense>
      );
    case 'sign-in':
      return <SignInPage />;
    case 'sign-up':
      return <SignUpPage />;
    case 'settings':
      return (
        <Suspense fallback={<p className="muted">Loading the settings…</p>}>
          <SettingsPage />
        </Suspense>
      );
    case 'admin-settings':
      return (
        <Suspense fallback={<p className="muted">Loading the settings…</p>}>
          <AdminSettingsPage />
        </Suspense>
      );
    case 'admin-activity':
      return (
        <Suspense fallback={<p className="muted">Loading the activity…</p>}>
          <ActivityPage />
        </Suspense>
      );
    case 'not-found':
      return <PageNotFound />;
  }
}

function MainNav({ route }: { route: Route }) {
  const inPlans = route.name === 'home' || route.name === 'plan';
  const inChat = route.name === 'chat';
  return (
    <nav aria-label="Main" className="main-nav">
      <Link
        to="/"
        className={inPlans ? 'main-nav-link main-nav-current' : 'main-nav-link'}
        aria-current={route.name === 'home' ? 'page' : undefined}
      >
        Plans
      </Link>
      <Link
        to="/chat"
        className={inChat ? 'main-nav-link main-nav-current' : 'main-nav-link'}
        aria-current={inChat && route.sessionId === null ? 'page' : undefined}
      >
        Chat
      </Link>
    </nav>
  );
}

function GatedScreen({ route, gate }: { route: Route; gate: ReturnType<typeof useAuthGate> }) {
  if (gate.error) {
    return (
      <p className="form-error" role="alert">
        {describeRequestError(gate.error)}
      </p>
    );
  }
  switch (gate.decision.kind) {
    case 'setup':
      return <SetupPage />;
    case 'show':
      return <Screen route={route} />;
    default:
      return <p className="muted">Loading…</p>;
  }
}

export function App() {
  const route = useRoute();
  const gate = useAuthGate(route);
  const wide = route.name === 'chat' && gate.decision.kind === 'show';
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className={wide ? 'app-header app-wide' : 'app-header'}>
        <Link to="/" className="brand">
          Sluice
        </Link>
        {gate.user ? <MainNav route={route} /> : null}
        <SimulatedBadge />
        {gate.user ? <AccountMenu user={gate.user} /> : null}
      </header>
      <main id="main" className={wide ? 'app-main app-wide' : 'app-main'}>
        <GatedScreen route={route} gate={gate} />
      </main>
    </>
  );
}
