import { useEffect, useId, useRef } from 'react';
import type { ArtifactSummary } from './chat-message';

interface ArtifactPanelProps {
  artifact: ArtifactSummary;
  /** Opened by a person (move focus to it), not by the stream. */
  focusOnOpen: boolean;
  onClose(): void;
}

/**
 * A reply's HTML experiment, run in a sandbox: scripts only, in an opaque origin
 * (no `allow-same-origin`), so it cannot reach the app, its storage or its cookies.
 */
export function ArtifactPanel({ artifact, focusOnOpen, onClose }: ArtifactPanelProps) {
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (focusOnOpen) headingRef.current?.focus();
  }, [focusOnOpen]);

  return (
    <section
      className="artifact-panel"
      data-testid="artifact-panel"
      aria-labelledby={headingId}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <div className="artifact-panel-header">
        <h2 id={headingId} ref={headingRef} tabIndex={-1}>
          {artifact.title}
        </h2>
        <button type="button" className="button button-small" onClick={onClose}>
          Close
        </button>
      </div>
      {artifact.html === null ? (
        <p className="muted">Loading the experiment…</p>
      ) : (
        <iframe
          className="artifact-frame"
          title={artifact.title}
          sandbox="allow-scripts"
          srcDoc={artifact.html}
          referrerPolicy="no-referrer"
        />
      )}
      <p className="artifact-note">
        Runs in a sandbox: it cannot reach this app, its data or your cookies.
      </p>
    </section>
  );
}
