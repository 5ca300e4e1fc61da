// The admin half's plugin vocabulary (server/src/constants.js holds the server's: the
// two halves are built by different tools). The plugin id and the names made from it
// are in ../pluginId.js, which reads it from the package.json.
export const SESSION_UID = 'api::recording-session.recording-session';
export const SYNC_RESULT_UID = 'api::sync-result.sync-result';

// Session states in which the sync card stops polling for progress.
export const SETTLED_STATES = ['needs-review', 'ready'];
