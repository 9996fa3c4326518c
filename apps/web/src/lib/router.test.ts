import { describe, expect, it } from 'vitest';
import { chatPath, matchRoute, planPath } from './router';

describe('matchRoute', () => {
  it.each([
    ['/', { name: 'home' }],
    ['/plans/abc-123', { name: 'plan', planId: 'abc-123' }],
    ['/plans/abc-123/', { name: 'plan', planId: 'abc-123' }],
    ['/plans/a%20b', { name: 'plan', planId: 'a b' }],
    ['/plans/', { name: 'not-found', path: '/plans/' }],
    ['/plans/a/b', { name: 'not-found', path: '/plans/a/b' }],
    ['/chat', { name: 'chat', sessionId: null }],
    ['/chat/', { name: 'chat', sessionId: null }],
    ['/chat/s-1', { name: 'chat', sessionId: 's-1' }],
    ['/chat/s-1/extra', { name: 'not-found', path: '/chat/s-1/extra' }],
    ['/elsewhere', { name: 'not-found', path: '/elsewhere' }],
    ['/sign-in', { name: 'sign-in' }],
    ['/sign-up/', { name: 'sign-up' }],
    ['/settings', { name: 'settings' }],
    ['/admin/settings', { name: 'admin-settings' }],
    ['/admin/activity', { name: 'admin-activity' }],
    ['/admin', { name: 'not-found', path: '/admin' }],
  ])('matches %s', (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });

  it('builds plan paths that match back', () => {
    expect(matchRoute(planPath('x/y z'))).toEqual({ name: 'plan', planId: 'x/y z' });
  });

  it('builds chat paths that match back', () => {
    expect(chatPath()).toBe('/chat');
    expect(matchRoute(chatPath('a/b c'))).toEqual({ name: 'chat', sessionId: 'a/b c' });
  });
});
