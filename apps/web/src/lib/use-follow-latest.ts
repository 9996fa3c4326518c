import { useCallback, useEffect, useLayoutEffect, useState } from 'react';

/** Within this distance of the bottom, the reader counts as following the latest text. */
const nearBottomPx = 96;

function distanceFromBottom(): number {
  const root = document.documentElement;
  return root.scrollHeight - (window.scrollY + window.innerHeight);
}

/**
 * Keeps the newest text in view while `active`, until the reader scrolls up; then
 * `following` is false (show "Jump to latest") until they come back down.
 */
export function useFollowLatest(active: boolean, changes: unknown) {
  const [following, setFollowing] = useState(true);

  useEffect(() => {
    if (!active) return;
    const onScroll = () => setFollowing(distanceFromBottom() <= nearBottomPx);
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, [active]);

  // `changes` is what grew the page: after each, follow it down.
  useLayoutEffect(() => {
    if (active && following && distanceFromBottom() > 0) {
      window.scrollTo({ top: document.documentElement.scrollHeight, behavior: 'instant' });
    }
  }, [active, following, changes]);

  const jumpToLatest = useCallback(() => {
    setFollowing(true);
    window.scrollTo({ top: document.documentElement.scrollHeight, behavior: 'instant' });
  }, []);

  return { following, jumpToLatest };
}
