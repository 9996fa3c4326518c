import type { GenerationStatus } from '@sluice/shared';
import { useEffect, useRef, useState } from 'react';
import { connectionAnnouncements } from '../../components/connection-status';
import type { ConnectionMode } from './plan-stream-store';

interface PlanAnnouncerProps {
  status: GenerationStatus | null;
  /** How many weeks are written, and the number of the last one. */
  completedWeeks: number;
  lastWeekNumber: number | null;
  connection: ConnectionMode;
}

const statusAnnouncements: Record<GenerationStatus, string> = {
  generating: 'Writing your plan.',
  completed: 'Your plan is complete.',
  failed: 'Writing the plan failed.',
  cancelled: 'Stopped. What was written so far is kept.',
  partial: 'The plan stopped before it was finished.',
};

/** Tells screen readers about status changes and finished weeks, not every token. */
export function PlanAnnouncer({
  status,
  completedWeeks,
  lastWeekNumber,
  connection,
}: PlanAnnouncerProps) {
  const [message, setMessage] = useState('');
  const previous = useRef<PlanAnnouncerProps | null>(null);

  useEffect(() => {
    const before = previous.current;
    previous.current = { status, completedWeeks, lastWeekNumber, connection };
    // What the page shows on arrival is read with the page, not announced.
    if (!before || before.status === null) return;
    const parts: string[] = [];
    if (completedWeeks > before.completedWeeks && lastWeekNumber !== null) {
      parts.push(`Week ${lastWeekNumber} written.`);
    }
    if (status && status !== before.status) parts.push(statusAnnouncements[status]);
    const connectionMessage = connectionAnnouncements[connection];
    if (connection !== before.connection && connectionMessage) parts.push(connectionMessage);
    if (
      connection === 'live' &&
      (before.connection === 'polling' || before.connection === 'offline') &&
      status === 'generating'
    ) {
      parts.push('Live updates are back.');
    }
    if (parts.length > 0) setMessage(parts.join(' '));
  }, [status, completedWeeks, lastWeekNumber, connection]);

  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
      {message}
    </div>
  );
}
