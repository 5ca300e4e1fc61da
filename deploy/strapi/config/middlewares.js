'use strict';

// The review page plays proxies, and the upload zones PUT files, straight from and to
// storage (presigned R2/S3 URLs) or, with the local backend, from the multicam
// service: the content-security policy lets media in (and uploads out) to exactly
// those origins, and nothing else: MULTICAM_MEDIA_ORIGINS (comma-separated), the
// bucket endpoint presigned URLs point at (MULTICAM_S3_ENDPOINT_URL, shared with the
// service in deploy/.env) and the service. connect-src (what the admin's scripts may
// fetch) is the same list and the admin itself, never any https: origin.
//
// CORS: the admin panel is the only web page that calls Strapi with an operator's
// credentials, so only its own public origin may read Strapi's answers (Strapi's
// default is any origin, with credentials). Scripts on other sites get nothing.
const { originOf } = require('../src/multicam/origin');

/** The admin's public origin(s): PUBLIC_URL, else the host and port Strapi listens on. */
function adminOrigins(env) {
  const publicUrl = originOf(env('PUBLIC_URL', ''));
  if (publicUrl) return [publicUrl];
  const port = env.int('PORT', 1337);
  const host = env('HOST', '127.0.0.1');
  const local = ['0.0.0.0', '127.0.0.1', 'localhost', '::'].includes(host);
  const hosts = local ? ['localhost', '127.0.0.1'] : [host];
  return hosts.map((h) => `http://${h}:${port}`);
}

module.exports = ({ env }) => {
  const service = originOf(env('MULTICAM_SERVICE_URL', '')) || originOf(env('MULTICAM_WEBHOOK_URL', ''));
  const admin = adminOrigins(env);
  const media = [
    ...env.array('MULTICAM_MEDIA_ORIGINS', []).map(originOf),
    originOf(env('MULTICAM_S3_ENDPOINT_URL', '')),
    service,
  ].filter(Boolean);
  const unique = [...new Set(media)];
  return [
    'strapi::logger',
    'strapi::errors',
    {
      name: 'strapi::security',
      config: {
        contentSecurityPolicy: {
          useDefaults: true,
          directives: {
            'media-src': ["'self'", 'data:', 'blob:', ...unique],
            // Browser uploads PUT straight to the bucket.
            'connect-src': ["'self'", ...admin, ...unique],
            'img-src': ["'self'", 'data:', 'blob:', 'market-assets.strapi.io', ...unique],
          },
        },
      },
    },
    { name: 'strapi::cors', config: { origin: admin } },
    'strapi::poweredBy',
    'strapi::query',
    'strapi::body',
    'strapi::session',
    'strapi::favicon',
    'strapi::public',
  ];
};
