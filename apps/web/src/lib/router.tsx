import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

/** A tiny History API router: the server answers every unknown GET path with index.html. */

export type Route =
  | { name: 'home' }
  | { name: 'plan'; planId: string }
  /** `/chat` (no session chosen) or `/chat/:sessionId`. */
  | { name: 'chat'; sessionId: string | null }
  | { name: 'sign-in' }
  | { name: 'sign-up' }
  | { name: 'settings' }
  | { name: 'admin-settings' }
  | { name: 'admin-activity' }
  | { name: 'not-found'; path: string };

const listeners = new Set<() => void>();
/** Counts navigations inside the app, so screens can tell a navigation from a first load. */
let navigations = 0;

function notify(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  if (listeners.size === 0) window.addEventListener('popstate', onPopState);
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) window.removeEventListener('popstate', onPopState);
  };
}

function onPopState(): void {
  navigations += 1;
  notify();
}

function currentPath(): string {
  return window.location.pathname;
}

/** The path and query of the page (`/plans/1?x=y`): where to come back to after signing in. */
export function currentLocation(): string {
  return `${window.location.pathname}${window.location.search}`;
}

const fixedRoutes: Record<string, Route> = {
  '/sign-in': { name: 'sign-in' },
  '/sign-up': { name: 'sign-up' },
  '/settings': { name: 'settings' },
  '/admin/settings': { name: 'admin-settings' },
  '/admin/activity': { name: 'admin-activity' },
};

export function matchRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '') return { name: 'home' };
  const fixed = fixedRoutes[pathname.replace(/\/$/, '')];
  if (fixed) return fixed;
  const plan = /^\/plans\/([^/]+)\/?$/.exec(pathname);
  if (plan?.[1]) {
    try {
      return { name: 'plan', planId: decodeURIComponent(plan[1]) };
    } catch {
      return { name: 'not-found', path: pathname };
    }
  }
  if (/^\/chat\/?$/.test(pathname)) return { name: 'chat', sessionId: null };
  const chat = /^\/chat\/([^/]+)\/?$/.exec(pathname);
  if (chat?.[1]) {
    try {
      return { name: 'chat', sessionId: decodeURIComponent(chat[1]) };
    } catch {
      return { name: 'not-found', path: pathname };
    }
  }
  return { name: 'not-found', path: pathname };
}

export function planPath(planId: string): string {
  return `/plans/${encodeURIComponent(planId)}`;
}

export function chatPath(sessionId?: string | null): string {
  return sessionId ? `/chat/${encodeURIComponent(sessionId)}` : '/chat';
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentLocation() && !options.replace) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  navigations += 1;
  window.scrollTo(0, 0);
  notify();
}

/** Whether the app has navigated since it loaded (focus moves only after a navigation). */
export function hasNavigated(): boolean {
  return navigations > 0;
}

export function useRoute(): Route {
  const path = useSyncExternalStore(subscribe, currentPath, () => '/');
  return matchRoute(path);
}

/** The path and query, kept current like useRoute. */
export function useLocation(): string {
  return useSyncExternalStore(subscribe, currentLocation, () => '/');
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string };

function isPlainLeftClick(event: MouseEvent<HTMLAnchorElement>): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}

/** An ordinary link that navigates inside the app on a plain click (new tabs still work). */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  return (
    <a
      {...rest}
      href={to}
      onClick={(event) => {
        onClick?.(event);
        if (event.defaultPrevented || !isPlainLeftClick(event) || rest.target) return;
        event.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
