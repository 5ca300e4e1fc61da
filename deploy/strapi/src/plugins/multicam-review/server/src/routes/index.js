'use strict';

const { REVIEW_ACTION, UPLOAD_ACTION } = require('../constants');

// Admin routes (mounted at /multicam-review, admin JWT): every one needs one of the
// plugin's permissions, so a studio can grant review and upload to operators only.
const route = (action, method, path, handler) => ({
  method,
  path,
  handler,
  config: { policies: [{ name: 'admin::hasPermissions', config: { actions: [action] } }] },
});
const guarded = (method, path, handler) => route(REVIEW_ACTION, method, path, `review.${handler}`);
const uploading = (method, path, handler) => route(UPLOAD_ACTION, method, path, `upload.${handler}`);

module.exports = {
  admin: {
    type: 'admin',
    routes: [
      guarded('GET', '/sessions', 'listSessions'),
      guarded('GET', '/sync-results/:id/session', 'sessionOfResult'),
      guarded('GET', '/sessions/:id/status', 'status'),
      guarded('GET', '/sessions/:id/sync', 'syncView'),
      guarded('POST', '/sessions/:id/approve', 'approve'),
      guarded('POST', '/sessions/:id/correct', 'correct'),
      guarded('POST', '/sessions/:id/resync', 'resync'),
      guarded('GET', '/sessions/:id/waveform/:camera', 'waveform'),
      guarded('GET', '/sessions/:id/listen', 'listen'),
      guarded('GET', '/sessions/:id/timeline', 'timeline'),
      uploading('GET', '/sessions/:id/uploads/check', 'check'),
      uploading('POST', '/sessions/:id/uploads', 'init'),
      uploading('POST', '/sessions/:id/uploads/:assetId/part-urls', 'partUrls'),
      uploading('POST', '/sessions/:id/uploads/:assetId/complete', 'complete'),
    ],
  },
};
