'use strict';

// The plugin's vocabulary, shared by its server parts (the admin half has its own in
// admin/src/lib/constants.mjs: the two halves are built by different tools). The id is
// the package's strapi.name, which admin/src/pluginId.js reads too.
const PLUGIN_ID = require('../../package.json').strapi.name;
const REVIEW_ACTION = `plugin::${PLUGIN_ID}.review`;
const UPLOAD_ACTION = `plugin::${PLUGIN_ID}.upload`;

const SESSION_UID = 'api::recording-session.recording-session';
const SYNC_RESULT_UID = 'api::sync-result.sync-result';
const ASSET_UID = 'api::media-asset.media-asset';
const DERIVED_UID = 'api::derived-media.derived-media';

// Written by the worker only; an operator changes them through the review routes.
const PROTECTED_FIELDS = {
  [SYNC_RESULT_UID]: [
    'masterCamera',
    'offsetsMs',
    'confidence',
    'confidencePct',
    'classification',
    'driftPpm',
    'method',
    'operatorStatus',
    'operatorOffsetsMs',
    'debugArtifacts',
    'computedAt',
    'approvedAt',
    'approvedBy',
    'naturalKey',
    'session',
  ],
  // The stored objects an asset names: the worker reads, signs and deletes by them.
  [ASSET_UID]: [
    'originalUrl',
    'durationMs',
    'fps',
    'resolution',
    'codec',
    'audioCodec',
    'sampleRate',
    'audioChannels',
    'isVfr',
    'audioStartMs',
    'videoStartMs',
    'state',
    'errorMessage',
    'progressPct',
    'progressMessage',
    'videoState',
    'videoProgressPct',
    'naturalKey',
    'session',
    'derivatives',
  ],
  [DERIVED_UID]: ['kind', 'url', 'sizeBytes', 'checksum', 'storageKey', 'contentType', 'clips', 'naturalKey', 'asset'],
};

// Entries only the worker creates (from an upload or a sync), never a person.
const WORKER_CREATED = [SYNC_RESULT_UID, ASSET_UID, DERIVED_UID];

module.exports = {
  PLUGIN_ID,
  REVIEW_ACTION,
  UPLOAD_ACTION,
  SESSION_UID,
  SYNC_RESULT_UID,
  ASSET_UID,
  DERIVED_UID,
  PROTECTED_FIELDS,
  WORKER_CREATED,
};
