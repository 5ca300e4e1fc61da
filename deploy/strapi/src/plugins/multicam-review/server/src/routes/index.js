'use strict';

const { REVIEW_ACTION } = require('../constants');

// Admin routes (mounted at /multicam-review, admin JWT): every one needs the plugin's
// permission, so a studio can grant review to operators only.
const guarded = (method, path, handler) => ({
  method,
  path,
  handler: `review.${handler}`,
  config: { policies: [{ name: 'admin::hasPermissions', config: { actions: [REVIEW_ACTION] } }] },
});

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
    ],
  },
};
