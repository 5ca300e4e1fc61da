import { SESSION_UID, SYNC_RESULT_UID } from '../lib/constants.mjs';
import { SyncCard } from './SyncCard.jsx';

/** The Content Manager side panel on recording-session and sync-result entries. */
export function SyncPanel({ model, documentId }) {
  if ((model !== SESSION_UID && model !== SYNC_RESULT_UID) || !documentId) return null;
  return {
    title: 'Sync',
    content: <SyncCard model={model} documentId={documentId} />,
  };
}
