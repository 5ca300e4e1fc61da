'use strict';

// Strapi generates API token keys itself; the worker and CI need one they know in
// advance, so the token is created normally and then its stored hash (and encrypted
// copy, shown in the admin) is replaced by those of the key from the environment.

const TOKEN_UID = 'admin::api-token';

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
      description: 'Full access for the multicam worker (managed by bootstrap from MULTICAM_API_TOKEN)',
      type: 'full-access',
      lifespan: null,
    });
    token = await strapi.db.query(TOKEN_UID).findOne({ where: { id: created.id } });
    strapi.log.info(`[multicam] created API token "${name}"`);
  }

  const data = {};
  if (token.accessKey !== wantedHash) {
    data.accessKey = wantedHash;
    data.encryptedKey = strapi.service('admin::encryption').encrypt(accessKey);
  }
  if (token.type !== 'full-access') data.type = 'full-access';
  if (token.expiresAt) {
    data.expiresAt = null;
    data.lifespan = null;
  }
  if (Object.keys(data).length > 0) {
    await strapi.db.query(TOKEN_UID).update({ where: { id: token.id }, data });
    strapi.log.info(`[multicam] API token "${name}" set from MULTICAM_API_TOKEN`);
  }
}

module.exports = { ensureApiToken };
