'use strict';

// Strapi generates API token keys itself; the worker and CI need one they know in
// advance, so the token is created normally and then its stored hash (and encrypted
// copy, shown in the admin) is replaced by those of the key from the environment.
//
// The token lives in the internet-facing multicam serve, so it is a custom token
// (Strapi 5: kind content-api, type custom) allowed only what the worker and the API
// do: find, findOne, create, update and delete on the four multicam content types
// (strapi_client/collection.py). Nothing else: not users-permissions, not uploads, and
// content-API tokens are refused on admin routes anyway. A full-access token left by
// an older bootstrap, or permissions edited in the admin, are put back on every start.

const TOKEN_UID = 'admin::api-token';
const TOKEN_TYPE = 'custom';

const CONTENT_TYPES = [
  'api::recording-session.recording-session',
  'api::media-asset.media-asset',
  'api::derived-media.derived-media',
  'api::sync-result.sync-result',
];
const ACTIONS = ['find', 'findOne', 'create', 'update', 'delete'];
const PERMISSIONS = CONTENT_TYPES.flatMap((uid) => ACTIONS.map((action) => `${uid}.${action}`));

function tokenService(strapi) {
  // 5.x split token kinds; older 5.x only has 'admin::api-token'.
  try {
    const svc = strapi.service('admin::api-token-content-api');
    if (svc) return svc;
  } catch (_) {
    // fall through
  }
  return strapi.service('admin::api-token');
}

async function grantedActions(strapi, id) {
  const token = await strapi.db.query(TOKEN_UID).findOne({
    where: { id },
    populate: ['permissions'],
  });
  return (token.permissions || []).map((p) => p.action).sort();
}

function sameSet(a, b) {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((v, i) => v === right[i]);
}

async function ensureApiToken(strapi, { name, accessKey }) {
  if (!accessKey) {
    strapi.log.info('[multicam] MULTICAM_API_TOKEN not set: no API token managed');
    return;
  }
  // Length and placeholders: secret-rule.js, checked before any of this runs.
  const tokens = tokenService(strapi);
  const wantedHash = tokens.hash(accessKey);

  let token = await strapi.db.query(TOKEN_UID).findOne({ where: { name } });
  if (!token) {
    const created = await tokens.create({
      name,
      description:
        'The multicam worker and service: find/findOne/create/update/delete on the four ' +
        'multicam content types (managed by bootstrap from MULTICAM_API_TOKEN)',
      type: TOKEN_TYPE,
      permissions: PERMISSIONS,
      lifespan: null,
    });
    token = await strapi.db.query(TOKEN_UID).findOne({ where: { id: created.id } });
    strapi.log.info(`[multicam] created API token "${name}"`);
  }

  // The service validates the permissions (unknown actions are refused) and replaces
  // the token's set with exactly this one.
  const granted = await grantedActions(strapi, token.id);
  if (token.type !== TOKEN_TYPE || !sameSet(granted, PERMISSIONS)) {
    await tokens.update(token.id, { type: TOKEN_TYPE, permissions: PERMISSIONS });
    strapi.log.info(
      `[multicam] API token "${name}" scoped to the multicam content types ` +
        `(was ${token.type}, ${granted.length} permissions)`,
    );
  }

  const data = {};
  if (token.accessKey !== wantedHash) {
    data.accessKey = wantedHash;
    data.encryptedKey = strapi.service('admin::encryption').encrypt(accessKey);
  }
  if (token.expiresAt) {
    data.expiresAt = null;
    data.lifespan = null;
  }
  if (Object.keys(data).length > 0) {
    await strapi.db.query(TOKEN_UID).update({ where: { id: token.id }, data });
    strapi.log.info(`[multicam] API token "${name}" set from MULTICAM_API_TOKEN`);
  }
}

module.exports = { ensureApiToken, PERMISSIONS };
