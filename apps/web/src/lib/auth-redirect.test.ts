import { describe, expect, it } from 'vitest';
import { decideGate, returnPathFrom, safeReturnPath, signInPathFor } from './auth-redirect';
import { matchRoute } from './router';

function decide(location: string, state: Parameters<typeof decideGate>[2]) {
  return decideGate(matchRoute(location.split('?')[0] ?? '/'), location, state);
}

describe('decideGate', () => {
  it('waits for system.info', () => {
    expect(decide('/', { needsSetup: undefined, session: 'signed-in' })).toEqual({ kind: 'wait' });
  });

  it('shows the admin form on every route of a fresh server', () => {
    for (const location of ['/', '/plans/1', '/sign-in', '/sign-up', '/settings', '/nowhere']) {
      expect(decide(location, { needsSetup: true, session: 'signed-out' })).toEqual({
        kind: 'setup',
      });
    }
  });

  it('sends a signed-out visitor to sign-in with the way back', () => {
    expect(decide('/plans/p%201?tab=2', { needsSetup: false, session: 'signed-out' })).toEqual({
      kind: 'redirect',
      to: `/sign-in?next=${encodeURIComponent('/plans/p%201?tab=2')}`,
    });
    expect(decide('/', { needsSetup: false, session: 'signed-out' })).toEqual({
      kind: 'redirect',
      to: '/sign-in',
    });
  });

  it('shows sign-in and sign-up to a signed-out visitor', () => {
    expect(decide('/sign-in?next=/chat', { needsSetup: false, session: 'signed-out' })).toEqual({
      kind: 'show',
    });
    expect(decide('/sign-up', { needsSetup: false, session: 'unknown' })).toEqual({ kind: 'show' });
  });

  it('sends a signed-in user on from sign-in to where they were going', () => {
    expect(decide('/sign-in?next=%2Fchat', { needsSetup: false, session: 'signed-in' })).toEqual({
      kind: 'redirect',
      to: '/chat',
    });
  });

  it('waits for the session before showing a private page', () => {
    expect(decide('/settings', { needsSetup: false, session: 'unknown' })).toEqual({
      kind: 'wait',
    });
    expect(decide('/settings', { needsSetup: false, session: 'signed-in' })).toEqual({
      kind: 'show',
    });
  });
});

describe('the way back', () => {
  it.each([
    ['/plans/1', '/plans/1'],
    ['/chat?x=1', '/chat?x=1'],
    [null, '/'],
    ['', '/'],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['/sign-in?next=/x', '/'],
    ['/sign-up', '/'],
  ])('keeps %s inside the app as %s', (candidate, expected) => {
    expect(safeReturnPath(candidate)).toBe(expected);
  });

  it('reads next from the sign-in location', () => {
    expect(returnPathFrom(signInPathFor('/plans/a?b=c'))).toBe('/plans/a?b=c');
    expect(returnPathFrom('/sign-in')).toBe('/');
    expect(returnPathFrom('/sign-in?next=https%3A%2F%2Fevil.example')).toBe('/');
  });
});
