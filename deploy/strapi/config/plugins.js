'use strict';

const { originOf } = require('../src/multicam/origin');

module.exports = ({ env }) => ({
  'users-permissions': {
    config: {
      jwtSecret: env('JWT_SECRET'),
    },
  },
  'multicam-review': {
    enabled: true,
    resolve: './src/plugins/multicam-review',
    config: {
      // Where the plugin's server reaches `multicam serve` (default: the webhook's origin).
      serviceUrl: env('MULTICAM_SERVICE_URL', originOf(env('MULTICAM_WEBHOOK_URL', '')) || ''),
      // Must equal the service's MULTICAM_ADMIN_PANEL_TOKEN.
      serviceToken: env('MULTICAM_ADMIN_PANEL_TOKEN', ''),
    },
  },
});
