/** Where parsing stopped and why; `offset` counts UTF-16 code units from the start of the input. */
export interface ParseError {
  message: string;
  offset: number;
}

export type ParseResult<T> = { success: true; value: T } | { success: false; error: ParseError };
