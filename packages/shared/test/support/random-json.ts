import { pickRandom, type Random, randomInteger } from './seeded-random';

const whitespace = ['', '', '', ' ', '\n', '\t', '\r\n', '  '];

/** Characters that exercise the decoder: escapes, controls, multibyte, astral and lone surrogates. */
const stringCharacters = Array.from(
  'abZ0 "\\/\n\t\b\f\r\u0001\u001f\u007féß中\u2028😀🚀\ud800\udfff',
);

const shortEscapes = new Map<string, string>([
  ['"', '\\"'],
  ['\\', '\\\\'],
  ['\b', '\\b'],
  ['\f', '\\f'],
  ['\n', '\\n'],
  ['\r', '\\r'],
  ['\t', '\\t'],
]);

/**
 * A random JSON document (an object or an array): nested containers, every kind of
 * number, strings written with a random mix of raw characters, short escapes and `\u`
 * escapes, and random whitespace between tokens.
 */
export function generateJsonText(random: Random, maxDepth = 4): string {
  const document = random() < 0.5 ? writeObject(random, maxDepth) : writeArray(random, maxDepth);
  return `${space(random)}${document}${space(random)}`;
}

function writeValue(random: Random, depth: number): string {
  const roll = random();
  if (depth > 0 && roll < 0.25) return writeObject(random, depth - 1);
  if (depth > 0 && roll < 0.5) return writeArray(random, depth - 1);
  if (roll < 0.65) return writeString(random);
  if (roll < 0.85) return writeNumber(random);
  return pickRandom(random, ['true', 'false', 'null']);
}

function writeObject(random: Random, depth: number): string {
  const members = Array.from({ length: randomInteger(random, 0, 4) }, () => {
    const key = writeString(random);
    return `${space(random)}${key}${space(random)}:${space(random)}${writeValue(random, depth)}${space(random)}`;
  });
  return `{${members.join(',') || space(random)}}`;
}

function writeArray(random: Random, depth: number): string {
  const items = Array.from(
    { length: randomInteger(random, 0, 5) },
    () => `${space(random)}${writeValue(random, depth)}${space(random)}`,
  );
  return `[${items.join(',') || space(random)}]`;
}

function writeString(random: Random): string {
  const length = randomInteger(random, 0, 12);
  let text = '"';
  for (let count = 0; count < length; count += 1) {
    for (const unit of codeUnits(pickRandom(random, stringCharacters))) {
      text += writeCodeUnit(unit, random);
    }
  }
  return `${text}"`;
}

/** One UTF-16 code unit: as a `\u` escape (sometimes), a short escape, or raw. */
function writeCodeUnit(unit: string, random: Random): string {
  const code = unit.charCodeAt(0);
  const mustEscape = code < 0x20 || unit === '"' || unit === '\\';
  const roll = random();
  if (roll < 0.25 || (mustEscape && roll < 0.5)) {
    const hex = code.toString(16).padStart(4, '0');
    return `\\u${random() < 0.5 ? hex : hex.toUpperCase()}`;
  }
  if (unit === '/' && roll < 0.6) return '\\/';
  return (
    shortEscapes.get(unit) ?? (code < 0x20 ? `\\u${code.toString(16).padStart(4, '0')}` : unit)
  );
}

function writeNumber(random: Random): string {
  const sign = random() < 0.3 ? '-' : '';
  const integer = random() < 0.2 ? '0' : String(randomInteger(random, 1, 999_999));
  const fraction = random() < 0.4 ? `.${randomInteger(random, 0, 9999)}` : '';
  const exponent =
    random() < 0.3
      ? `${pickRandom(random, ['e', 'E'])}${pickRandom(random, ['', '+', '-'])}${randomInteger(random, 0, 20)}`
      : '';
  return `${sign}${integer}${fraction}${exponent}`;
}

function space(random: Random): string {
  return pickRandom(random, whitespace);
}

function codeUnits(text: string): string[] {
  return Array.from({ length: text.length }, (_, index) => text.charAt(index));
}
