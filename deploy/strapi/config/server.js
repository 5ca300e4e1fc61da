'use strict';

module.exports = ({ env }) => ({
  host: env('HOST', '127.0.0.1'),
  port: env.int('PORT', 1337),
  url: env('PUBLIC_URL', ''),
  proxy: env.bool('IS_PROXIED', false),
  app: {
    keys: env.array('APP_KEYS'),
  },
  // No version check against the package registry at start (and no "latest" in
  // .strapi-updater.json). Strapi 5 reads only this; it ignores
  // STRAPI_DISABLE_UPDATE_NOTIFICATION apart from a warning.
  logger: {
    updates: { enabled: false },
  },
});
