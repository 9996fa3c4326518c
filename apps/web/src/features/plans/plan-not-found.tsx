import { Link } from '../../lib/router';

/** An unknown plan id (or one this server does not have). */
export function PlanNotFound() {
  return (
    <section className="not-found">
      <h1 tabIndex={-1}>No plan with this id</h1>
      <p>It may have been written on another server, or the link is incomplete.</p>
      <p>
        <Link to="/">Back to your plans</Link>
      </p>
    </section>
  );
}
