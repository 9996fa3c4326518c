import { memo } from 'react';
import { formatMinutes } from '../../lib/format';
import type { TaskView, WeekView } from './plan-stream-store';

interface WeekCardProps {
  week: WeekView;
  /** This is the part of the plan being written right now. */
  writing: boolean;
}

function taskMeta(task: TaskView): string {
  const parts: string[] = [];
  if (task.day !== undefined) parts.push(`Day ${task.day}`);
  if (task.minutes !== undefined) parts.push(formatMinutes(task.minutes));
  return parts.join(' · ');
}

function totalMinutes(week: WeekView): number {
  return week.tasks.reduce((sum, task) => sum + (task.minutes ?? 0), 0);
}

/** One week of the plan: it appears when its object opens and fills as it streams. */
export const WeekCard = memo(function WeekCard({ week, writing }: WeekCardProps) {
  const number = week.week ?? week.index + 1;
  const headingId = `week-${week.index}-heading`;
  const minutes = totalMinutes(week);
  return (
    <article
      className={writing ? 'week-card week-card-writing' : 'week-card'}
      data-testid="week-card"
      data-week-index={week.index}
      data-complete={week.complete ? 'true' : 'false'}
      aria-labelledby={headingId}
      aria-busy={writing}
    >
      <header className="week-card-header">
        <h3 id={headingId}>Week {number}</h3>
        {minutes > 0 ? <span className="week-card-total">{formatMinutes(minutes)}</span> : null}
      </header>
      <p className="week-focus">
        {week.focus ?? (writing ? '' : '—')}
        {writing && week.tasks.length === 0 ? <span className="cursor" aria-hidden="true" /> : null}
      </p>
      {week.tasks.length > 0 ? (
        <ul className="task-list">
          {week.tasks.map((task, index) => {
            const meta = taskMeta(task);
            // The cursor follows the text being written: the detail, else the title.
            const cursor =
              writing && index === week.tasks.length - 1 ? (
                <span className="cursor" aria-hidden="true" />
              ) : null;
            return (
              // Tasks only ever append, so their position is a stable key.
              <li key={index} className="task">
                <span className="task-title">
                  {task.title}
                  {task.detail ? null : cursor}
                </span>
                {meta ? <span className="task-meta">{meta}</span> : null}
                {task.detail ? (
                  <span className="task-detail">
                    {task.detail}
                    {cursor}
                  </span>
                ) : null}
              </li>
            );
          })}
        </ul>
      ) : null}
      {week.complete && week.valid === false ? (
        <p className="week-note">This week did not come out in the expected shape.</p>
      ) : null}
    </article>
  );
});
