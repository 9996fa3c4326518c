import { describe, expect, it } from 'vitest';
import { createLiveOutput } from './live-output';

function capture(statusLine: boolean) {
  const writes: string[] = [];
  const output = createLiveOutput({
    stdout: (text) => writes.push(`out:${text}`),
    stderr: (text) => writes.push(`err:${text}`),
    statusLine,
  });
  return { output, writes };
}

describe('createLiveOutput', () => {
  it('wipes the status line before writing the text, and redraws it only at the start of a line', () => {
    const { output, writes } = capture(true);
    output.status('1.0 s');
    output.print('Summary so far');
    output.status('1.2 s');
    output.print(' and the rest.\n');
    output.status('1.4 s');
    output.status('1.4 s');
    output.clear();
    expect(writes).toEqual([
      'err:\r\x1b[2K1.0 s',
      'err:\r\x1b[2K',
      'out:Summary so far',
      'out: and the rest.\n',
      'err:\r\x1b[2K1.4 s',
      'err:\r\x1b[2K',
    ]);
  });

  it('starts a note on its own line when the text stopped mid-line', () => {
    const { output, writes } = capture(true);
    output.print('Half a sentence');
    output.note('Connection lost');
    expect(writes).toEqual(['out:Half a sentence', 'err:\nConnection lost\n']);
  });

  it('draws no status line when stderr is not a terminal', () => {
    const { output, writes } = capture(false);
    output.status('1.0 s');
    output.print('Text\n');
    output.note('Note');
    expect(writes).toEqual(['out:Text\n', 'err:Note\n']);
  });
});
