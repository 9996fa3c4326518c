import { ChatSession } from './chat-session';
import './chat.css';
import { SessionList } from './session-list';

/** `/chat` and `/chat/:sessionId`: the sessions beside the chosen one. Loaded on demand. */
export default function ChatPage({ sessionId }: { sessionId: string | null }) {
  return (
    <div className="chat-layout">
      <SessionList currentId={sessionId} />
      <div className="chat-main">
        {sessionId ? (
          // A new key per session: nothing of one session's page state leaks into the next.
          <ChatSession key={sessionId} sessionId={sessionId} />
        ) : (
          <section className="chat-empty">
            <h1>Chat</h1>
            <p className="muted">
              Start a new chat, or pick one of your sessions. Replies stream in as they are written,
              and pick up where they were after a reload.
            </p>
          </section>
        )}
      </div>
    </div>
  );
}
