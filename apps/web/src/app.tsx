import { PageNotFound } from './components/page-not-found';
import { SimulatedBadge } from './components/simulated-badge';
import { HomePage } from './features/plans/home-page';
import { PlanPage } from './features/plans/plan-page';
import { Link, useRoute } from './lib/router';

function Screen() {
  const route = useRoute();
  switch (route.name) {
    case 'home':
      return <HomePage />;
    case 'plan':
      // A new key per plan: nothing of one plan's page state leaks into the next.
      return <PlanPage key={route.planId} planId={route.planId} />;
    case 'not-found':
      return <PageNotFound />;
  }
}

export function App() {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          Sluice
        </Link>
        <SimulatedBadge />
      </header>
      <main id="main" className="app-main">
        <Screen />
      </main>
    </>
  );
}
