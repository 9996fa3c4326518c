import { useDocumentTitle } from '../../lib/use-document-title';
import { ApiKeysSection } from './api-keys-section';
import { ChatPromptsSection } from './chat-prompts-section';
import { ProviderKeysSection } from './provider-keys-section';

/** The signed-in user's settings: usage, API keys, provider keys and chat prompts. */
export function SettingsPage() {
  useDocumentTitle('Settings');
  return (
    <div className="settings-page">
      <h1>Settings</h1>
      <section className="settings-section" aria-labelledby="settings-usage-heading">
        <h2 id="settings-usage-heading">Usage</h2>
        {/* USAGE: the lead mounts <QuotaUsage /> from './quota-usage' here (built separately). */}
      </section>
      <ApiKeysSection />
      <ProviderKeysSection scope="user" />
      <ChatPromptsSection />
    </div>
  );
}

export default SettingsPage;
