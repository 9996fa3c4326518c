import type { OutgoingHttpHeaders } from 'node:http';

/** The path of the page that runs a chat experiment (apps/web/public/experiment-frame.html). */
export const experimentFramePath = '/experiment-frame.html';

const appPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  // The experiment frame is a page of this origin, sandboxed into an opaque one.
  "frame-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The experiment frame's own policy. A srcdoc iframe would inherit the app's policy (and its
 * `script-src 'self'` would block the experiment's inline scripts), so experiments run in
 * this page instead: inline code only, nothing fetched from anywhere, always sandboxed into
 * an opaque origin (even when opened on its own), framed only by the app.
 */
const experimentFramePolicy = [
  'sandbox allow-scripts',
  "default-src 'none'",
  "script-src 'unsafe-inline'",
  "style-src 'unsafe-inline'",
  'img-src data: blob:',
  'font-src data:',
  'media-src data: blob:',
  'worker-src blob:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ');

const common: OutgoingHttpHeaders = {
  'x-content-type-options': 'nosniff',
  // Not no-referrer: under it, browsers send `Origin: null` on the app's own POSTs.
  'referrer-policy': 'same-origin',
};

/** Headers for every response (the API and the health checks included). */
export const baseSecurityHeaders: OutgoingHttpHeaders = common;

/** Headers for the web app's page, its assets and the SPA fallback. */
export function webSecurityHeaders(pathname: string): OutgoingHttpHeaders {
  const isFrame = pathname === experimentFramePath;
  return {
    ...common,
    'content-security-policy': isFrame ? experimentFramePolicy : appPolicy,
    'cross-origin-opener-policy': 'same-origin',
    ...(isFrame ? {} : { 'x-frame-options': 'DENY' }),
  };
}
