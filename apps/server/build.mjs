// `pnpm build`: compiles the server and the workspace packages it uses (@sluice/db,
// @sluice/shared, @sluice/simulator, which export their TypeScript source) into one ES
// module, dist/main.js, that `pnpm start` runs with plain `node`. Packages from npm stay
// imports resolved from node_modules at run time (better-sqlite3 is native; the others are
// already JavaScript), so each must be a dependency of this package: the build checks that.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const serverDirectory = dirname(fileURLToPath(import.meta.url));
const workspacePrefix = '@sluice/';

function readManifest(directory) {
  return JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
}

/** npm packages imported by the server or any workspace package it bundles, by who needs them. */
function collectExternalPackages() {
  const external = new Map();
  const visited = new Set();
  const visit = (directory) => {
    const manifest = readManifest(directory);
    if (visited.has(manifest.name)) return;
    visited.add(manifest.name);
    for (const name of Object.keys(manifest.dependencies ?? {})) {
      if (name.startsWith(workspacePrefix)) {
        // pnpm links each workspace dependency into the package's own node_modules.
        visit(join(directory, 'node_modules', name));
      } else if (!external.has(name)) {
        external.set(name, manifest.name);
      }
    }
  };
  visit(serverDirectory);
  return external;
}

const external = collectExternalPackages();
// tsx only runs TypeScript in development; the bundle does not import it.
external.delete('tsx');
const serverDependencies = Object.keys(readManifest(serverDirectory).dependencies ?? {});
const missing = [...external].filter(([name]) => !serverDependencies.includes(name));
if (missing.length > 0) {
  const list = missing.map(([name, owner]) => `${name} (used by ${owner})`).join(', ');
  console.error(
    `apps/server/package.json must list these in "dependencies", so that dist/main.js can import them at run time: ${list}`,
  );
  process.exit(1);
}

const result = await build({
  entryPoints: [join(serverDirectory, 'src/main.ts')],
  outfile: join(serverDirectory, 'dist/main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: true,
  external: [...external.keys()].flatMap((name) => [name, `${name}/*`]),
  logLevel: 'warning',
  metafile: true,
});

const bundled = Object.keys(result.metafile.inputs).filter(
  (path) => !path.includes('node_modules'),
);
console.log(
  `dist/main.js: ${bundled.length} source files bundled; imported at run time: ${[...external.keys()].join(', ')}`,
);
