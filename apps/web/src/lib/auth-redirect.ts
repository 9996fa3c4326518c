import type { Route } from './router';

/** Pages a signed-out visitor may see. */
export function isPublicRoute(route: Route): boolean {
  return route.name === 'sign-in' || route.name === 'sign-up';
}

export type GateDecision =
  /** Still asking the server. */
  | { kind: 'wait' }
  /** No account exists yet: the admin form, whatever the route. */
  | { kind: 'setup' }
  | { kind: 'redirect'; to: string }
  | { kind: 'show' };

export interface GateState {
  /** `system.info.needsSetup`, undefined while loading. */
  needsSetup: boolean | undefined;
  /** Signed in, signed out, or not known yet. */
  session: 'signed-in' | 'signed-out' | 'unknown';
}

/**
 * What to render for a route: the setup form on a fresh server, the sign-in page (with the way
 * back) for a signed-out visitor, home for a signed-in one who opens sign-in or sign-up.
 */
export function decideGate(route: Route, location: string, state: GateState): GateDecision {
  if (state.needsSetup === undefined) return { kind: 'wait' };
  if (state.needsSetup) return { kind: 'setup' };
  if (isPublicRoute(route)) {
    if (state.session === 'signed-in') return { kind: 'redirect', to: returnPathFrom(location) };
    return { kind: 'show' };
  }
  if (state.session === 'signed-out') return { kind: 'redirect', to: signInPathFor(location) };
  if (state.session === 'unknown') return { kind: 'wait' };
  return { kind: 'show' };
}

/** `/sign-in?next=<where the user was>` (home needs no `next`). */
export function signInPathFor(location: string): string {
  const back = safeReturnPath(location);
  return back === '/' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(back)}`;
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** A path inside this app, or `/`: never another origin (`//host`, `https:`, `/\host`). */
export function safeReturnPath(candidate: string | null | undefined): string {
  if (!candidate?.startsWith('/') || candidate.startsWith('//')) return '/';
  if (candidate.includes('\\') || hasControlCharacter(candidate)) return '/';
  if (/^\/(sign-in|sign-up)(\/|\?|$)/.test(candidate)) return '/';
  return candidate;
}

/** Where to go after signing in, from the current `/sign-in?next=…` location. */
export function returnPathFrom(location: string): string {
  const query = location.includes('?') ? location.slice(location.indexOf('?')) : '';
  return safeReturnPath(new URLSearchParams(query).get('next'));
}
