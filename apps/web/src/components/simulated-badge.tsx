import { trpc } from '../lib/trpc';

/** Says plainly when plans come from the bundled offline simulator, not a real model. */
export function SimulatedBadge() {
  const info = trpc.system.info.useQuery(undefined, { staleTime: Number.POSITIVE_INFINITY });
  if (!info.data?.simulated) return null;
  return (
    <span
      className="simulated-badge"
      data-testid="simulated-badge"
      title="No API key is set on the server: plans come from the bundled offline simulator."
    >
      Simulated model
    </span>
  );
}
