import type { IncomingMessage } from 'node:http';

export interface OriginPolicyOptions {
  /** The origin people open (PUBLIC_URL); when unset, `http://<host>:<port>`. */
  publicOrigin: string | undefined;
  /** ALLOWED_ORIGINS. */
  allowedOrigins: readonly string[];
  /** The address the server listens on and its real port (known after listen). */
  host: string;
  port: number;
}

export interface Refusal {
  status: number;
  message: string;
}

export interface OriginPolicy {
  /** Every allowed origin, the public one first. */
  readonly origins: readonly string[];
  isAllowedHost(host: string | undefined): boolean;
  isAllowedOrigin(origin: string): boolean;
  /**
   * Why a request must be refused, or null. Any method: the Host must be allowed
   * (DNS rebinding). Anything but GET/HEAD/OPTIONS: a browser's Origin, when sent, must
   * be allowed, and a cross-site request without one is refused too.
   */
  check(request: IncomingMessage): Refusal | null;
}

const loopbackNames = ['localhost', '127.0.0.1', '[::1]'];
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

function hostLiteral(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** `host` and `host:port` spellings of an origin's authority, as a Host header may carry them. */
function hostsOf(origin: string): string[] {
  const url = new URL(origin);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return [url.host.toLowerCase(), `${url.hostname.toLowerCase()}:${port}`];
}

/**
 * Which hosts may serve the app and which origins may call it: PUBLIC_URL (default
 * `http://<HOST>:<port>`), its loopback aliases on the same port, and ALLOWED_ORIGINS.
 * Hosts: those of the allowed origins, and loopback names on any port.
 */
export function createOriginPolicy(options: OriginPolicyOptions): OriginPolicy {
  const listening = isWildcard(options.host)
    ? []
    : [`http://${hostLiteral(options.host)}:${options.port}`];
  const loopback = loopbackNames.map((name) => `http://${name}:${options.port}`);
  const origins = [
    ...new Set(
      [
        ...(options.publicOrigin ? [options.publicOrigin] : listening),
        ...loopback,
        ...options.allowedOrigins,
      ].map((origin) => new URL(origin).origin),
    ),
  ];
  const allowedOrigins = new Set(origins);
  const allowedHosts = new Set(origins.flatMap(hostsOf));

  const isAllowedHost = (host: string | undefined) => {
    if (host === undefined) return false;
    const normalized = host.trim().toLowerCase();
    if (allowedHosts.has(normalized)) return true;
    // A loopback name on any port (an SSH tunnel, a local proxy): DNS rebinding needs a
    // name the attacker controls, never one of these.
    const name = normalized.replace(/:\d+$/, '');
    return loopbackNames.includes(name);
  };
  const isAllowedOrigin = (origin: string) => allowedOrigins.has(origin.trim().toLowerCase());

  return {
    origins,
    isAllowedHost,
    isAllowedOrigin,
    check(request) {
      if (!isAllowedHost(request.headers.host)) {
        return {
          status: 421,
          message: `This server does not answer for host "${request.headers.host ?? ''}". Open ${origins[0]}, or add the origin to ALLOWED_ORIGINS (or set PUBLIC_URL).`,
        };
      }
      if (safeMethods.has(request.method ?? 'GET')) return null;
      const origin = request.headers.origin;
      if (origin !== undefined) {
        return isAllowedOrigin(origin)
          ? null
          : {
              status: 403,
              message: `Requests from origin "${origin}" are not allowed. Add it to ALLOWED_ORIGINS to allow it.`,
            };
      }
      // No Origin: the CLI and other programs. A browser that sends none still says where
      // the request comes from.
      const site = request.headers['sec-fetch-site'];
      if (site === 'cross-site' || site === 'same-site') {
        return { status: 403, message: 'Cross-site requests are not allowed.' };
      }
      return null;
    },
  };
}
