import { useEffect } from 'react';

/** The tab shows `title` while the page is open, and just "Sluice" after. */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Sluice`;
  }, [title]);
  useEffect(
    () => () => {
      document.title = 'Sluice';
    },
    [],
  );
}
