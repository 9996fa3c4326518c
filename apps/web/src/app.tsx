import { lazy, Suspense } from 'react';
import { PageNotFound } from './components/page-not-found';
import { SimulatedBadge } from './components/simulated-badge';
import { HomePage } from './features/plans/home-page';
import { PlanPage } from './features/plans/plan-page';
import { Link, type Route, useRoute } from './lib/router';

// Its own chunk: the markdown renderer and the chat screens load only when chat opens.
const ChatPage = lazy(() => import('./features/chat/chat-page'));

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

export function App() {
  const route = useRoute();
  const wide = route.name === 'chat';
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className={wide ? 'app-header app-wide' : 'app-header'}>
        <Link to="/" className="brand">
          Sluice
        </Link>
        <MainNav route={route} />
        <SimulatedBadge />
      </header>
      <main id="main" className={wide ? 'app-main app-wide' : 'app-main'}>
        <Screen route={route} />
      </main>
    </>
  );
}
