import { Link } from '../lib/router';

export function PageNotFound() {
  return (
    <section className="not-found">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        <Link to="/">Back to your plans</Link>
      </p>
    </section>
  );
}
