import { fileURLToPath } from 'node:url';

export const webAppDirectory = fileURLToPath(new URL('../..', import.meta.url));
export const screenshotDirectory = fileURLToPath(
  new URL('../../../../artifacts/screenshots', import.meta.url),
);
