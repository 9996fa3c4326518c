/** Brings back the newest text once the reader scrolled up from it (see `useFollowLatest`). */
export function JumpToLatestButton({ onClick }: { onClick: () => void }) {
  return (
    <button type="button" className="button jump-to-latest" onClick={onClick}>
      Jump to latest ↓
    </button>
  );
}
