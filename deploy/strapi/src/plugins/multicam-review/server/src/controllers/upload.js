'use strict';

// Browser uploads: the same init-upload / part URLs / complete flow as the service's
// /v2 API (one set of rules), for the logged-in admin. The bytes go from the browser
// straight to storage; only these small JSON calls pass through here.
const { PLUGIN_ID } = require('../constants');
const { handled, idParam } = require('./http');

/** The admin's origin, as the browser that PUTs to the bucket has it. */
function adminOrigin(ctx, strapi) {
  const configured = strapi.config.get('server.url');
  if (configured && /^https?:\/\//.test(configured)) return new URL(configured).origin;
  return ctx.get('origin') || ctx.request.origin;
}

function pick(body, keys) {
  const out = {};
  for (const key of keys) if (body?.[key] !== undefined) out[key] = body[key];
  return out;
}

module.exports = ({ strapi }) => {
  const service = () => strapi.plugin(PLUGIN_ID).service('multicam-service');
  const browser = (ctx) => ({ 'X-Multicam-Browser-Origin': adminOrigin(ctx, strapi) });
  const assets = (id) => `v2/sessions/${encodeURIComponent(id)}/assets`;

  return {
    /** Can this admin's browser upload to the bucket (its CORS rules)? */
    check: handled(async (ctx) => {
      if (!idParam(ctx)) return;
      ctx.body = await service().json(ctx.state.user, 'GET', 'v2/uploads/browser-check', {
        query: { origin: adminOrigin(ctx, strapi) },
      });
    }),

    init: handled(async (ctx) => {
      const id = idParam(ctx);
      if (!id) return;
      const body = pick(ctx.request.body, [
        'cameraLabel',
        'take',
        'filename',
        'contentType',
        'sizeBytes',
        'sha256',
        'resume',
      ]);
      ctx.body = await service().json(ctx.state.user, 'POST', `${assets(id)}/init-upload`, {
        body,
        headers: browser(ctx),
      });
    }),

    partUrls: handled(async (ctx) => {
      const id = idParam(ctx);
      const assetId = id && idParam(ctx, 'assetId');
      if (!assetId) return;
      ctx.body = await service().json(
        ctx.state.user,
        'POST',
        `${assets(id)}/${encodeURIComponent(assetId)}/part-urls`,
        {
          body: pick(ctx.request.body, ['uploadId', 'partNumbers']),
        }
      );
    }),

    complete: handled(async (ctx) => {
      const id = idParam(ctx);
      const assetId = id && idParam(ctx, 'assetId');
      if (!assetId) return;
      ctx.status = 202;
      ctx.body = await service().json(ctx.state.user, 'POST', `${assets(id)}/${encodeURIComponent(assetId)}/complete`, {
        body: pick(ctx.request.body, ['uploadId', 'parts']),
      });
    }),
  };
};
