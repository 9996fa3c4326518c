import { useEffect, useRef } from 'react';
import { hasNavigated } from '../../lib/router';
import { PlanForm } from './plan-form';
import { PlansList } from './plans-list';

/** `/`: ask for a plan, and the plans asked for so far. */
export function HomePage() {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // After a navigation, start from the top of the new page (not on first load).
    if (hasNavigated()) headingRef.current?.focus({ preventScroll: true });
  }, []);
  return (
    <div className="home-page">
      <header className="intro">
        <h1 ref={headingRef} tabIndex={-1}>
          A month of progress, planned
        </h1>
        <p>
          Write what you want to achieve. A plan streams onto the page: the summary first, then week
          after week. It keeps going on the server if you leave; come back any time.
        </p>
      </header>
      <PlanForm />
      <PlansList />
    </div>
  );
}
