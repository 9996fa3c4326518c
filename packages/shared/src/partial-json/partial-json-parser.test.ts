import { describe, expect, it } from 'vitest';
import { chunkings, splitEvery, splitsInTwo } from '../../test/support/chunkings';
import { generateJsonText } from '../../test/support/random-json';
import { createSeededRandom } from '../../test/support/seeded-random';
import type { ParseResult } from './parse-result';
import { createPartialJsonParser, type PartialJsonEvent } from './partial-json-parser';

function parseChunks(chunks: readonly string[]): ParseResult<unknown> {
  const parser = createPartialJsonParser();
  for (const chunk of chunks) parser.feed(chunk);
  return parser.end();
}

function valueAfter(chunks: readonly string[]): unknown {
  const parser = createPartialJsonParser();
  for (const chunk of chunks) parser.feed(chunk);
  return parser.value;
}

const validDocuments: Array<[name: string, text: string]> = [
  ['every short escape', String.raw`"quote \" backslash \\ slash \/ b \b f \f n \n r \r t \t"`],
  ['a \\u escape of a BMP character', String.raw`{"name":"Caf\u00e9 \u00E9\u4e2d"}`],
  ['a surrogate pair written as two \\u escapes', String.raw`["\ud83d\ude00", "x\uD83D\uDE80y"]`],
  ['lone surrogates written as \\u escapes', String.raw`["\ud800", "\udc00x", "\ud83d\u0041"]`],
  ['raw multibyte and astral characters', '{"emoji":"😀🚀 naïve 日本語","key 🔑":"✓"}'],
  ['a string holding one backslash', String.raw`"\\"`],
  ['a string ending in an escaped backslash', String.raw`{"path":"C:\\dir\\"}`],
  ['nested arrays and objects', '[[[]],[{"a":[{"b":{"c":[1,[2,[3]]]}}]}],{}]'],
  ['deep nesting', `${'[{"a":'.repeat(150)}"deep"${'}]'.repeat(150)}`],
  ['numbers in every shape', '[0,-0,1,-1,1e-7,12.5E+3,-12.5e-3,1E2,0.001,123456789012,3.14159]'],
  ['a number at the top level', '-12.5e+3'],
  ['literals', '[true,false,null,{"t":true,"f":false,"n":null}]'],
  ['empty object, array and string', '{"object":{},"array":[],"string":""}'],
  ['whitespace everywhere', ' \n\t{ \r\n "a" \t : \n [ 1 , { } , "x" ] , "b" : null \n} \n '],
  ['duplicate keys (the last one wins)', '{"a":1,"b":2,"a":{"c":3}}'],
  ['a __proto__ key, kept as an own property', '{"__proto__":{"polluted":true},"x":1}'],
  ['keys that need escapes', String.raw`{"a\"b":1,"\u0063":2,"":3,"\\":4}`],
];

describe('createPartialJsonParser', () => {
  describe.each(validDocuments)('with %s', (_name, text) => {
    const expected = { success: true, value: JSON.parse(text) };

    it.each(chunkings(text))('parses the document fed $name', ({ chunks }) => {
      expect(parseChunks(chunks)).toEqual(expected);
    });

    it('parses the document split in two at every index', () => {
      for (const chunks of splitsInTwo(text)) expect(parseChunks(chunks)).toEqual(expected);
    });

    it('shows the same partial value after each character, however the prefix was chunked', () => {
      const parser = createPartialJsonParser();
      for (let length = 1; length <= text.length; length += 1) {
        parser.feed(text.charAt(length - 1));
        expect(parser.value).toEqual(valueAfter([text.slice(0, length)]));
      }
    });
  });

  describe('partial values', () => {
    const partialValues: Array<[prefix: string, expected: unknown]> = [
      ['', undefined],
      ['  \n', undefined],
      ['{', {}],
      ['[', []],
      ['{"a', {}],
      ['{"a":', {}],
      ['{"a":"', { a: '' }],
      ['{"a":"he', { a: 'he' }],
      ['{"a":"he"', { a: 'he' }],
      ['{"a":12', {}],
      ['{"a":12 ', { a: 12 }],
      ['{"a":12,', { a: 12 }],
      ['{"a":-1.5e', {}],
      ['[1,2', [1]],
      ['[1,2]', [1, 2]],
      ['{"a":[{"b":tr', { a: [{}] }],
      ['{"a":[{"b":true', { a: [{ b: true }] }],
      ['{"a":{"b":', { a: {} }],
      ['{"a":{"b":[', { a: { b: [] } }],
      ['"abc', 'abc'],
      ['"ab\\', 'ab'],
      ['"ab\\n', 'ab\n'],
      ['"ab\\u00', 'ab'],
      ['"ab\\u00e9', 'abé'],
      ['"\\ud83d', ''],
      ['"\\ud83d\\ude', ''],
      ['"\\ud83d\\ude00', '😀'],
      ['"x\\ud83d"', 'x\ud83d'],
      ['"x😀'.slice(0, 3), 'x'],
      ['["a","b', ['a', 'b']],
      ['12', undefined],
      ['nul', undefined],
    ];

    it.each(partialValues)('shows %j as %j', (prefix, expected) => {
      expect(valueAfter([prefix])).toEqual(expected);
      expect(valueAfter(splitEvery(prefix, 1))).toEqual(expected);
    });

    it('mutates one live tree instead of rebuilding it', () => {
      const parser = createPartialJsonParser();
      parser.feed('{"weeks":[{"focus":"Ru');
      const first = parser.value;
      parser.feed('n"},{');
      expect(parser.value).toBe(first);
      expect(first).toEqual({ weeks: [{ focus: 'Run' }, {}] });
    });

    it('says it is done once the top-level value is complete', () => {
      const parser = createPartialJsonParser();
      parser.feed(' {"a":[1]');
      expect(parser.done).toBe(false);
      parser.feed('} ');
      expect(parser.done).toBe(true);

      const number = createPartialJsonParser();
      number.feed('12');
      expect(number.done).toBe(false);
      expect(number.end()).toEqual({ success: true, value: 12 });
      expect(number.done).toBe(true);
    });
  });

  describe('events', () => {
    type LoggedEvent = { type: string; path: Array<string | number>; detail?: unknown };

    function logEvents(chunks: readonly string[]): LoggedEvent[] {
      const log: LoggedEvent[] = [];
      const record = (event: PartialJsonEvent) => {
        const path = [...event.path];
        if (event.type === 'string-delta') log.push({ type: event.type, path, detail: event.text });
        else if (event.type === 'primitive')
          log.push({ type: event.type, path, detail: event.value });
        else log.push({ type: event.type, path });
      };
      const parser = createPartialJsonParser({ onEvent: record });
      for (const chunk of chunks) parser.feed(chunk);
      parser.end();
      return log;
    }

    const text = '{"a":[1,"xy"],"b":{"c":null},"d":7}';

    it('reports containers, string growth and complete primitives in document order', () => {
      expect(logEvents([text])).toEqual([
        { type: 'container-start', path: [] },
        { type: 'container-start', path: ['a'] },
        { type: 'primitive', path: ['a', 0], detail: 1 },
        { type: 'string-delta', path: ['a', 1], detail: 'xy' },
        { type: 'primitive', path: ['a', 1], detail: 'xy' },
        { type: 'container-end', path: ['a'] },
        { type: 'container-start', path: ['b'] },
        { type: 'primitive', path: ['b', 'c'], detail: null },
        { type: 'container-end', path: ['b'] },
        { type: 'primitive', path: ['d'], detail: 7 },
        { type: 'container-end', path: [] },
      ]);
    });

    it.each(chunkings(text))(
      'reports the same events except string deltas fed $name',
      ({ chunks }) => {
        const withoutDeltas = (log: LoggedEvent[]) =>
          log.filter((event) => event.type !== 'string-delta');
        expect(withoutDeltas(logEvents(chunks))).toEqual(withoutDeltas(logEvents([text])));
      },
    );

    it('reports each new piece of a string once, never re-sending earlier text', () => {
      const deltas = logEvents(splitEvery('["héllo\\n\\u00e9😀"]', 1))
        .filter((event) => event.type === 'string-delta')
        .map((event) => event.detail);
      expect(deltas).toEqual(['h', 'é', 'l', 'l', 'o', '\n', 'é', '😀']);
    });

    it('reports a number at the top level when the input ends', () => {
      expect(logEvents(['4', '2'])).toEqual([{ type: 'primitive', path: [], detail: 42 }]);
    });
  });

  describe('invalid input', () => {
    const malformedDocuments: Array<[text: string, offset: number]> = [
      ['{"a":1,}', 7],
      ['[1,]', 3],
      ['{a:1}', 1],
      ['{"a" 1}', 5],
      ['{"a":1}{}', 7],
      ['1 2', 2],
      ['{"a":1} x', 8],
      ['{"a":1}}', 7],
      ['[1 2]', 3],
      ['{"a":1 "b":2}', 7],
      ['[}', 1],
      [']', 0],
      ["'a'", 0],
      ['"\\x"', 2],
      ['"\\u12G4"', 5],
      ['"a\nb"', 2],
      ['"tab\there"', 4],
      ['01', 1],
      ['-', 1],
      ['-a', 1],
      ['1.', 2],
      ['1.e5', 2],
      ['1e+', 3],
      ['.5', 0],
      ['+1', 0],
      ['trux', 3],
      ['nul1', 3],
      ['NaN', 0],
      ['Infinity', 0],
      ['```json\n{}\n```', 0],
    ];

    it.each(malformedDocuments)('rejects %j at offset %i', (text, offset) => {
      expect(() => JSON.parse(text)).toThrow();
      for (const chunks of [[text], splitEvery(text, 1)]) {
        const result = parseChunks(chunks);
        expect(result).toMatchObject({ success: false, error: { offset } });
        expect(result.success || result.error.message).not.toMatch(/incomplete/);
      }
    });

    const truncatedDocuments = [
      '',
      '  ',
      '[',
      '{"a":',
      '{"a":"b',
      '{"a":[1,2',
      'tru',
      '"\\u00',
      '{"a"',
    ];

    it.each(truncatedDocuments)('says %j is incomplete', (text) => {
      for (const chunks of [[text], splitEvery(text, 1)]) {
        expect(parseChunks(chunks)).toEqual({
          success: false,
          error: { message: expect.stringContaining('incomplete'), offset: text.length },
        });
      }
    });

    it('stops processing after an error', () => {
      const parser = createPartialJsonParser();
      parser.feed('{"a":1,}');
      parser.feed('"b":2}');
      expect(parser.value).toEqual({ a: 1 });
      expect(parser.end()).toMatchObject({ success: false, error: { offset: 7 } });
    });

    it('ignores input after end() and keeps its result', () => {
      const parser = createPartialJsonParser();
      parser.feed('[1]');
      const result = parser.end();
      parser.feed('x');
      expect(parser.end()).toBe(result);
      expect(result).toEqual({ success: true, value: [1] });
    });
  });

  describe('random documents', () => {
    const seeds = Array.from({ length: 60 }, (_, index) => index + 1);

    it.each(seeds)('parses random document %i like JSON.parse for many chunkings', (seed) => {
      const text = generateJsonText(createSeededRandom(seed));
      const expected = { success: true, value: JSON.parse(text) };
      for (const { chunks } of chunkings(text, [seed, seed + 1000])) {
        expect(parseChunks(chunks)).toEqual(expected);
      }
    });
  });

  describe('work done', () => {
    interface Work {
      examined: number;
      copied: number;
      conversions: number;
    }

    /**
     * A chunk that counts what the parser reads from it. Conversions to a primitive string
     * must stay at zero: they would let the parser read a copy behind the counters' back.
     */
    function countingChunk(text: string, work: Work): string {
      class CountingString extends String {
        override charCodeAt(index: number): number {
          work.examined += 1;
          return text.charCodeAt(index);
        }
        override slice(start?: number, end?: number): string {
          const piece = text.slice(start, end);
          work.copied += piece.length;
          return piece;
        }
        override toString(): string {
          work.conversions += 1;
          return text;
        }
        override valueOf(): string {
          work.conversions += 1;
          return text;
        }
      }
      return new CountingString(text) as unknown as string;
    }

    function measureWork(chunks: readonly string[]): Work {
      const work: Work = { examined: 0, copied: 0, conversions: 0 };
      const parser = createPartialJsonParser();
      for (const chunk of chunks) parser.feed(countingChunk(chunk, work));
      expect(parser.end().success).toBe(true);
      return work;
    }

    const text = `[${Array.from({ length: 200 }, (_, seed) => generateJsonText(createSeededRandom(seed))).join(',')}]`;
    const wholeWork = measureWork([text]);

    it.each(chunkings(text))(
      'examines each character once or twice, as when fed whole, fed $name',
      ({ chunks }) => {
        const work = measureWork(chunks);
        expect(work.conversions).toBe(0);
        expect(work.examined).toBe(wholeWork.examined);
        expect(work.examined).toBeGreaterThanOrEqual(text.length);
        expect(work.examined).toBeLessThanOrEqual(2 * text.length);
        expect(work.copied).toBeLessThanOrEqual(text.length);
      },
    );
  });
});
