import type { KeyboardEvent, RefObject } from 'react';

interface ComposerProps {
  value: string;
  onChange(value: string): void;
  onSend(): void;
  onStop(): void;
  /** A reply is being written: the textbox and Send are disabled, Stop is shown. */
  streaming: boolean;
  /** Sending, or the session is not loaded yet. */
  busy: boolean;
  stopping: boolean;
  error: string | null;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  stopRef: RefObject<HTMLButtonElement | null>;
}

/** The message box: Enter sends, Shift+Enter is a new line. */
export function Composer({
  value,
  onChange,
  onSend,
  onStop,
  streaming,
  busy,
  stopping,
  error,
  textareaRef,
  stopRef,
}: ComposerProps) {
  const locked = streaming || busy;

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Not while an input method is composing a character (Enter confirms it there).
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    if (!locked) onSend();
  }

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        if (!locked) onSend();
      }}
    >
      {error ? (
        <p className="form-error composer-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="composer-row">
        <label htmlFor="chat-composer" className="visually-hidden">
          Message
        </label>
        <textarea
          id="chat-composer"
          ref={textareaRef}
          className="composer-input"
          value={value}
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={onKeyDown}
          disabled={locked}
          rows={1}
          placeholder={streaming ? 'Wait for the reply, or stop it…' : 'Write a message…'}
          aria-describedby="composer-hint"
        />
        {streaming ? (
          <button
            ref={stopRef}
            type="button"
            className="button button-danger"
            aria-disabled={stopping}
            onClick={() => {
              if (!stopping) onStop();
            }}
          >
            Stop
          </button>
        ) : null}
        <button type="submit" className="button button-primary" disabled={locked}>
          Send
        </button>
      </div>
      <p id="composer-hint" className="composer-hint">
        <kbd>Enter</kbd> sends · <kbd>Shift</kbd>+<kbd>Enter</kbd> new line
      </p>
    </form>
  );
}
