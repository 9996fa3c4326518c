import { useDocumentTitle } from '../../lib/use-document-title';
import { ApiKeysSection } from './api-keys-section';
import { ChatPromptsSection } from './chat-prompts-section';
import { ProviderKeysSection } from './provider-keys-section';
import { QuotaUsage } from './quota-usage';

/** The signed-in user's settings: usage, API keys, provider keys and chat prompts. */
export function SettingsPage() {
  useDocumentTitle('Settings');
  return (
    <div className="settings-page">
      <h1>Settings</h1>
      <div className="settings-section">
        <QuotaUsage />
      </div>
      <ApiKeysSection />
      <ProviderKeysSection scope="user" />
      <ChatPromptsSection />
    </div>
  );
}

export default SettingsPage;
