'use strict';

// The review page plays proxies, and the upload zones PUT files, straight from and to
// storage (presigned R2/S3 URLs) or, with the local backend, from the multicam
// service: the content-security policy lets media in (and uploads out) to exactly
// those origins, and nothing else: MULTICAM_MEDIA_ORIGINS (comma-separated), the
// bucket endpoint presigned URLs point at (MULTICAM_S3_ENDPOINT_URL, shared with the
// service in deploy/.env) and the service.
const { originOf } = require('../src/multicam/origin');

module.exports = ({ env }) => {
  const service = originOf(env('MULTICAM_SERVICE_URL', '')) || originOf(env('MULTICAM_WEBHOOK_URL', ''));
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
            'connect-src': ["'self'", 'https:', ...unique],
            'img-src': ["'self'", 'data:', 'blob:', 'market-assets.strapi.io', ...unique],
          },
        },
      },
    },
    'strapi::cors',
    'strapi::poweredBy',
    'strapi::query',
    'strapi::body',
    'strapi::session',
    'strapi::favicon',
    'strapi::public',
  ];
};
