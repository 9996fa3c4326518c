import { useEffect, useId, useLayoutEffect, useRef } from 'react';
import type { ArtifactSummary } from './chat-message';

/** Served with its own content security policy (see apps/server/src/security-headers.ts). */
const experimentFrameUrl = '/experiment-frame.html';

/**
 * The frame runs the experiment's HTML once it says it is ready. A srcdoc frame would
 * inherit the app's content security policy, which blocks the experiment's inline scripts.
 */
function ExperimentFrame({ title, html }: { title: string; html: string }) {
  const frameRef = useRef<HTMLIFrameElement>(null);
  // A layout effect: listening before the frame can possibly have loaded.
  useLayoutEffect(() => {
    let sent = false;
    const onMessage = (event: MessageEvent) => {
      const frame = frameRef.current?.contentWindow;
      if (sent || !frame || event.source !== frame) return;
      if ((event.data as { type?: unknown } | null)?.type !== 'sluice-experiment-frame-ready')
        return;
      sent = true;
      // The frame's origin is opaque: '*' is the only target that reaches it.
      frame.postMessage({ type: 'sluice-experiment', html }, '*');
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [html]);
  return (
    <iframe
      ref={frameRef}
      className="artifact-frame"
      title={title}
      sandbox="allow-scripts"
      src={experimentFrameUrl}
      referrerPolicy="no-referrer"
    />
  );
}

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
        <ExperimentFrame key={artifact.html} title={artifact.title} html={artifact.html} />
      )}
      <p className="artifact-note">
        Runs in a sandbox: it cannot reach this app, its data or your cookies.
      </p>
    </section>
  );
}
