// Placeholder until the plan web app lands: it proves the build and the one-port serving.
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '4rem auto' }}>
      <h1>Sluice</h1>
      <p>
        The plan engine is running. The web app is not built yet; use the API at <code>/trpc</code>{' '}
        or the CLI (<code>pnpm --filter @sluice/cli start "your goals"</code>).
      </p>
    </main>
  );
}
