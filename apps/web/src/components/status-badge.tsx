import type { GenerationStatus } from '@sluice/shared';

export const statusLabels: Record<GenerationStatus, string> = {
  generating: 'Writing',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
  partial: 'Partial',
};

interface StatusBadgeProps {
  status: GenerationStatus;
  testId?: string;
}

/** A plan's status in words (colour only repeats what the word says). */
export function StatusBadge({ status, testId }: StatusBadgeProps) {
  return (
    <span className={`status-badge status-${status}`} data-testid={testId} data-status={status}>
      {statusLabels[status]}
    </span>
  );
}
