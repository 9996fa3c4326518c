export interface LiveOutputOptions {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether the status line is drawn at all (stderr is a terminal). */
  statusLine: boolean;
}

export interface LiveOutput {
  /** Writes the plan's text to stdout. */
  print(text: string): void;
  /** Writes a message line to stderr. */
  note(text: string): void;
  /** Redraws the status line on stderr, unless stdout is in the middle of a line. */
  status(text: string): void;
  /** Removes the status line. */
  clear(): void;
}

const clearLine = '\r\x1b[2K';

/**
 * Shares one terminal between the streamed text (stdout) and a status line
 * (stderr): the status line is wiped before anything else is written, and only
 * drawn when stdout is at the start of a line, so it never cuts into the text.
 */
export function createLiveOutput(options: LiveOutputOptions): LiveOutput {
  /** The status line on screen, if any. */
  let shownStatus: string | undefined;
  let atLineStart = true;

  function clear(): void {
    if (shownStatus === undefined) return;
    options.stderr(clearLine);
    shownStatus = undefined;
  }

  return {
    print(text) {
      if (text.length === 0) return;
      clear();
      options.stdout(text);
      atLineStart = text.endsWith('\n');
    },
    note(text) {
      clear();
      const separator = options.statusLine && !atLineStart ? '\n' : '';
      options.stderr(`${separator}${text}\n`);
      atLineStart = true;
    },
    status(text) {
      if (!options.statusLine || !atLineStart || text === shownStatus) return;
      options.stderr(`${clearLine}${text}`);
      shownStatus = text;
    },
    clear,
  };
}
