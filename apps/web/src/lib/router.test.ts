import { describe, expect, it } from 'vitest';
import { matchRoute, planPath } from './router';

describe('matchRoute', () => {
  it.each([
    ['/', { name: 'home' }],
    ['/plans/abc-123', { name: 'plan', planId: 'abc-123' }],
    ['/plans/abc-123/', { name: 'plan', planId: 'abc-123' }],
    ['/plans/a%20b', { name: 'plan', planId: 'a b' }],
    ['/plans/', { name: 'not-found', path: '/plans/' }],
    ['/plans/a/b', { name: 'not-found', path: '/plans/a/b' }],
    ['/elsewhere', { name: 'not-found', path: '/elsewhere' }],
  ])('matches %s', (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });

  it('builds plan paths that match back', () => {
    expect(matchRoute(planPath('x/y z'))).toEqual({ name: 'plan', planId: 'x/y z' });
  });
});
