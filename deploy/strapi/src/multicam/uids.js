'use strict';

const SESSION = 'api::recording-session.recording-session';
const ASSET = 'api::media-asset.media-asset';
const DERIVED = 'api::derived-media.derived-media';
const SYNC_RESULT = 'api::sync-result.sync-result';

module.exports = { SESSION, ASSET, DERIVED, SYNC_RESULT };
