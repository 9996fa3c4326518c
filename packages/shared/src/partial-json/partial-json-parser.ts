import type { ParseError, ParseResult } from './parse-result';

/** Object keys and array indexes leading from the root to a value. */
export type JsonPath = readonly (string | number)[];
export type JsonPrimitive = string | number | boolean | null;
export type JsonContainer = Record<string, unknown> | unknown[];

/**
 * What the parser reports while it streams, in document order:
 * - `container-start`: an object or array opened (it is already part of `value`);
 * - `container-end`: it closed and is complete;
 * - `string-delta`: decoded characters appended to a string value in progress, at most
 *   once per `feed` and once more when the string closes, so that the deltas of a string
 *   concatenate to it;
 * - `primitive`: a string, number, boolean or null value is complete.
 * Object keys are not reported. `path` is the parser's live position: read it during the
 * call and copy it to keep it.
 */
export type PartialJsonEvent =
  | { type: 'container-start'; path: JsonPath; value: JsonContainer }
  | { type: 'container-end'; path: JsonPath; value: JsonContainer }
  | { type: 'string-delta'; path: JsonPath; text: string }
  | { type: 'primitive'; path: JsonPath; value: JsonPrimitive };

export interface PartialJsonParserOptions {
  onEvent?: (event: PartialJsonEvent) => void;
}

export interface PartialJsonParser {
  /** Parses the next piece of the document; ignored after an error or after `end()`. */
  feed(chunk: string): void;
  /** Ends the input: the document if it is complete, valid JSON. Calling it again returns the same result. */
  end(): ParseResult<unknown>;
  /**
   * The document so far, mutated in place as input arrives: containers as soon as they
   * open, strings as their decoded prefix, numbers and literals once complete.
   * `undefined` until the top-level value starts.
   */
  readonly value: unknown;
  /** Whether the top-level value is complete, so that only whitespace may follow. */
  readonly done: boolean;
}

type Mode =
  | 'value'
  | 'value-or-close'
  | 'key'
  | 'key-or-close'
  | 'colon'
  | 'string'
  | 'number'
  | 'literal'
  | 'after-value'
  | 'done'
  | 'error';

type EscapeState = 'none' | 'backslash' | 'unicode';

/** Positions in the JSON number grammar `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`. */
type NumberState =
  | 'start'
  | 'minus'
  | 'zero'
  | 'integer'
  | 'point'
  | 'fraction'
  | 'exponent'
  | 'exponent-sign'
  | 'exponent-digits';

type Frame =
  | { kind: 'array'; container: unknown[]; index: number }
  | { kind: 'object'; container: Record<string, unknown>; key: string };

interface Literal {
  word: string;
  value: boolean | null;
}

const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const PLUS = 0x2b;
const DIGIT_ZERO = 0x30;
const DIGIT_NINE = 0x39;
const COLON = 0x3a;
const UPPER_E = 0x45;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const LOWER_E = 0x65;
const LOWER_U = 0x75;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

const escapedCharacters = new Map<number, string>([
  [QUOTE, '"'],
  [BACKSLASH, '\\'],
  [0x2f, '/'],
  [0x62, '\b'],
  [0x66, '\f'],
  [0x6e, '\n'],
  [0x72, '\r'],
  [0x74, '\t'],
]);

const literalsByFirstCharacter = new Map<number, Literal>([
  [0x74, { word: 'true', value: true }],
  [0x66, { word: 'false', value: false }],
  [0x6e, { word: 'null', value: null }],
]);

const incompleteMessage = 'Unexpected end of input: the JSON document is incomplete';

/**
 * An incremental, strict JSON parser. Every character is examined once (the one that
 * ends a number twice), whatever the chunking, and `value` is a live tree updated in
 * place, so reading it after every `feed` costs nothing.
 */
export function createPartialJsonParser(options: PartialJsonParserOptions = {}): PartialJsonParser {
  const { onEvent } = options;
  const frames: Frame[] = [];
  const path: (string | number)[] = [];
  let root: unknown;
  let mode: Mode = 'value';
  /** Characters fed before the current chunk. */
  let consumed = 0;
  let failure: ParseError | undefined;
  let result: ParseResult<unknown> | undefined;

  let stringIsKey = false;
  /** The decoded string so far, without `heldHighSurrogate`. */
  let stringText = '';
  /** What `stringText` gained since it was last published to the tree. */
  let stringDelta = '';
  /** A high surrogate that waits for its low half, so that no published prefix ends with half a character. */
  let heldHighSurrogate = '';
  let escapeState: EscapeState = 'none';
  let unicodeDigits = 0;
  let unicodeCode = 0;

  let numberText = '';
  let numberState: NumberState = 'start';

  let literal: Literal = { word: '', value: null };
  let literalMatched = 0;

  function feed(chunk: string): void {
    if (failure !== undefined || result !== undefined) return;
    let index = 0;
    while (index < chunk.length && mode !== 'error') index = step(chunk, index);
    if (mode === 'string' && !stringIsKey) publishStringDelta();
    consumed += chunk.length;
  }

  function end(): ParseResult<unknown> {
    result ??= finish();
    return result;
  }

  function finish(): ParseResult<unknown> {
    if (mode === 'number') finishNumber(0);
    if (failure !== undefined) return { success: false, error: failure };
    if (mode !== 'done') {
      return { success: false, error: { message: incompleteMessage, offset: consumed } };
    }
    return { success: true, value: root };
  }

  /** Reads from `index` and returns where reading stopped. */
  function step(chunk: string, index: number): number {
    switch (mode) {
      case 'string':
        return readString(chunk, index);
      case 'number':
        return readNumber(chunk, index);
      case 'literal':
        return readLiteral(chunk, index);
      default:
        return readStructural(chunk, index);
    }
  }

  function readStructural(chunk: string, start: number): number {
    let index = start;
    let code = chunk.charCodeAt(index);
    while (isWhitespace(code)) {
      index += 1;
      if (index === chunk.length) return index;
      code = chunk.charCodeAt(index);
    }
    switch (mode) {
      case 'value':
        return beginValue(code, index);
      case 'value-or-close':
        return code === CLOSE_BRACKET ? closeContainer(index) : beginValue(code, index);
      case 'key':
        return beginKey(code, index);
      case 'key-or-close':
        return code === CLOSE_BRACE ? closeContainer(index) : beginKey(code, index);
      case 'colon':
        if (code !== COLON) return unexpected(code, index);
        mode = 'value';
        return index + 1;
      case 'after-value':
        return readSeparator(code, index);
      default:
        return unexpected(code, index);
    }
  }

  function beginValue(code: number, index: number): number {
    const frame = frames[frames.length - 1];
    if (frame?.kind === 'array') {
      frame.index = frame.container.length;
      path[path.length - 1] = frame.index;
    }
    if (code === OPEN_BRACE) {
      return openContainer({ kind: 'object', container: {}, key: '' }, index);
    }
    if (code === OPEN_BRACKET) {
      return openContainer({ kind: 'array', container: [], index: 0 }, index);
    }
    if (code === QUOTE) {
      beginString(false);
      return index + 1;
    }
    if (code === MINUS || isDigit(code)) {
      mode = 'number';
      numberText = '';
      numberState = 'start';
      return index;
    }
    const found = literalsByFirstCharacter.get(code);
    if (found === undefined) return unexpected(code, index);
    mode = 'literal';
    literal = found;
    literalMatched = 0;
    return index;
  }

  function beginKey(code: number, index: number): number {
    if (code !== QUOTE) return unexpected(code, index);
    beginString(true);
    return index + 1;
  }

  function readSeparator(code: number, index: number): number {
    const inArray = frames[frames.length - 1]?.kind === 'array';
    if (code === COMMA) {
      mode = inArray ? 'value' : 'key';
      return index + 1;
    }
    if (code === (inArray ? CLOSE_BRACKET : CLOSE_BRACE)) return closeContainer(index);
    return unexpected(code, index);
  }

  function openContainer(frame: Frame, index: number): number {
    setMember(frame.container);
    emit({ type: 'container-start', path, value: frame.container });
    frames.push(frame);
    path.push(frame.kind === 'array' ? frame.index : frame.key);
    mode = frame.kind === 'array' ? 'value-or-close' : 'key-or-close';
    return index + 1;
  }

  function closeContainer(index: number): number {
    const frame = frames.pop();
    path.pop();
    if (frame !== undefined) emit({ type: 'container-end', path, value: frame.container });
    completeValue();
    return index + 1;
  }

  /** Puts `value` where the value being read belongs: the current member, or the root. */
  function setMember(value: unknown): void {
    const frame = frames[frames.length - 1];
    if (frame === undefined) root = value;
    else if (frame.kind === 'array') frame.container[frame.index] = value;
    else setProperty(frame.container, frame.key, value);
  }

  function completePrimitive(value: JsonPrimitive): void {
    setMember(value);
    emit({ type: 'primitive', path, value });
    completeValue();
  }

  function completeValue(): void {
    mode = frames.length === 0 ? 'done' : 'after-value';
  }

  function beginString(isKey: boolean): void {
    mode = 'string';
    stringIsKey = isKey;
    stringText = '';
    stringDelta = '';
    if (!isKey) setMember('');
  }

  function readString(chunk: string, start: number): number {
    let index = start;
    while (index < chunk.length) {
      if (escapeState !== 'none') {
        index = readEscape(chunk.charCodeAt(index), index);
        if (mode === 'error') return index;
        continue;
      }
      const runStart = index;
      let code = chunk.charCodeAt(index);
      while (code !== QUOTE && code !== BACKSLASH && code >= SPACE) {
        index += 1;
        if (index === chunk.length) break;
        code = chunk.charCodeAt(index);
      }
      if (index > runStart) appendText(chunk.slice(runStart, index));
      if (index === chunk.length) return index;
      if (code === QUOTE) {
        finishString();
        return index + 1;
      }
      if (code !== BACKSLASH) {
        return fail(`Unescaped control character ${describe(code)} in a string`, index);
      }
      escapeState = 'backslash';
      index += 1;
    }
    return index;
  }

  /** Reads one character of an escape sequence. */
  function readEscape(code: number, index: number): number {
    if (escapeState === 'backslash') {
      if (code === LOWER_U) {
        escapeState = 'unicode';
        unicodeDigits = 0;
        unicodeCode = 0;
        return index + 1;
      }
      const decoded = escapedCharacters.get(code);
      if (decoded === undefined) {
        return fail(`Invalid escape ${describe(code)} after "\\" in a string`, index);
      }
      escapeState = 'none';
      appendText(decoded);
      return index + 1;
    }
    const digit = hexDigitValue(code);
    if (digit < 0) return fail(`Invalid character ${describe(code)} in a \\u escape`, index);
    unicodeCode = unicodeCode * 16 + digit;
    unicodeDigits += 1;
    if (unicodeDigits === 4) {
      escapeState = 'none';
      appendText(String.fromCharCode(unicodeCode));
    }
    return index + 1;
  }

  function appendText(text: string): void {
    let piece = heldHighSurrogate === '' ? text : heldHighSurrogate + text;
    heldHighSurrogate = '';
    if (isHighSurrogate(piece.charCodeAt(piece.length - 1))) {
      heldHighSurrogate = piece.slice(-1);
      piece = piece.slice(0, -1);
    }
    stringText += piece;
    if (!stringIsKey) stringDelta += piece;
  }

  function finishString(): void {
    stringText += heldHighSurrogate;
    if (stringIsKey) {
      setKey(stringText);
      mode = 'colon';
    } else {
      stringDelta += heldHighSurrogate;
      publishStringDelta();
      emit({ type: 'primitive', path, value: stringText });
      completeValue();
    }
    heldHighSurrogate = '';
  }

  function setKey(key: string): void {
    const frame = frames[frames.length - 1];
    if (frame?.kind === 'object') frame.key = key;
    path[path.length - 1] = key;
  }

  /** Shows the string in progress in the tree and reports what it gained. */
  function publishStringDelta(): void {
    if (stringDelta === '') return;
    setMember(stringText);
    emit({ type: 'string-delta', path, text: stringDelta });
    stringDelta = '';
  }

  function readNumber(chunk: string, start: number): number {
    let index = start;
    while (index < chunk.length) {
      const next = nextNumberState(numberState, chunk.charCodeAt(index));
      if (next === undefined) break;
      numberState = next;
      index += 1;
    }
    numberText += chunk.slice(start, index);
    return index < chunk.length ? finishNumber(index) : index;
  }

  /** Completes the number at the character that follows it, which is then read again. */
  function finishNumber(index: number): number {
    if (!isCompleteNumber(numberState)) return fail(`Invalid number "${numberText}"`, index);
    completePrimitive(Number(numberText));
    return index;
  }

  function readLiteral(chunk: string, start: number): number {
    let index = start;
    while (literalMatched < literal.word.length) {
      if (index === chunk.length) return index;
      if (chunk.charCodeAt(index) !== literal.word.charCodeAt(literalMatched)) {
        return fail(`Invalid literal: expected "${literal.word}"`, index);
      }
      literalMatched += 1;
      index += 1;
    }
    completePrimitive(literal.value);
    return index;
  }

  function unexpected(code: number, index: number): number {
    return fail(`Unexpected ${describe(code)}: expected ${expectation()}`, index);
  }

  function expectation(): string {
    switch (mode) {
      case 'value':
        return 'a value';
      case 'value-or-close':
        return 'a value or "]"';
      case 'key':
        return 'a property name in double quotes';
      case 'key-or-close':
        return 'a property name in double quotes or "}"';
      case 'colon':
        return '":"';
      case 'after-value':
        return frames[frames.length - 1]?.kind === 'array' ? '"," or "]"' : '"," or "}"';
      default:
        return 'nothing after the end of the document';
    }
  }

  function fail(message: string, index: number): number {
    mode = 'error';
    failure = { message, offset: consumed + index };
    return index;
  }

  function emit(event: PartialJsonEvent): void {
    onEvent?.(event);
  }

  return {
    feed,
    end,
    get value() {
      return root;
    },
    get done() {
      return mode === 'done';
    },
  };
}

/** Like `target[key] = value`, but `__proto__` becomes an own property, as with `JSON.parse`. */
function setProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

function nextNumberState(state: NumberState, code: number): NumberState | undefined {
  const digit = isDigit(code);
  switch (state) {
    case 'start':
      if (code === MINUS) return 'minus';
      return startDigitState(code);
    case 'minus':
      return startDigitState(code);
    case 'zero':
      return afterIntegerState(code);
    case 'integer':
      return digit ? 'integer' : afterIntegerState(code);
    case 'point':
      return digit ? 'fraction' : undefined;
    case 'fraction':
      if (digit) return 'fraction';
      return isExponentMarker(code) ? 'exponent' : undefined;
    case 'exponent':
      if (code === PLUS || code === MINUS) return 'exponent-sign';
      return digit ? 'exponent-digits' : undefined;
    case 'exponent-sign':
    case 'exponent-digits':
      return digit ? 'exponent-digits' : undefined;
  }
}

function startDigitState(code: number): NumberState | undefined {
  if (code === DIGIT_ZERO) return 'zero';
  return isDigit(code) ? 'integer' : undefined;
}

function afterIntegerState(code: number): NumberState | undefined {
  if (code === DOT) return 'point';
  return isExponentMarker(code) ? 'exponent' : undefined;
}

function isCompleteNumber(state: NumberState): boolean {
  return (
    state === 'zero' || state === 'integer' || state === 'fraction' || state === 'exponent-digits'
  );
}

function isWhitespace(code: number): boolean {
  return code === SPACE || code === LINE_FEED || code === CARRIAGE_RETURN || code === TAB;
}

function isDigit(code: number): boolean {
  return code >= DIGIT_ZERO && code <= DIGIT_NINE;
}

function isExponentMarker(code: number): boolean {
  return code === LOWER_E || code === UPPER_E;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** -1 when `code` is not a hex digit. */
function hexDigitValue(code: number): number {
  if (isDigit(code)) return code - DIGIT_ZERO;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

function describe(code: number): string {
  return JSON.stringify(String.fromCharCode(code));
}
