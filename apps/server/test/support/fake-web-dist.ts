import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export interface FakeWebDist {
  directory: string;
  /** File contents by path under the directory. */
  files: Record<string, string>;
  remove(): void;
}

/** A small built web app, with the `.br` / `.gz` copies a build writes beside text files. */
export function createFakeWebDist(): FakeWebDist {
  const directory = mkdtempSync(join(tmpdir(), 'sluice-web-dist-'));
  const script = `export const greeting = ${JSON.stringify('hello, '.repeat(2000))};\n`;
  const files: Record<string, string> = {
    'index.html':
      '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>\n',
    'assets/index-abc123.js': script,
    'assets/logo-def456.svg': '<svg xmlns="http://www.w3.org/2000/svg"></svg>\n',
    'experiment-frame.html': '<!doctype html><title>Experiment</title>\n',
  };
  mkdirSync(join(directory, 'assets'));
  for (const [path, content] of Object.entries(files)) {
    writeFileSync(join(directory, path), content);
  }
  writeFileSync(join(directory, 'assets/index-abc123.js.br'), brotliCompressSync(script));
  writeFileSync(join(directory, 'assets/index-abc123.js.gz'), gzipSync(script));
  return {
    directory,
    files,
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}
