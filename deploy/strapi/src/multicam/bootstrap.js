'use strict';

// Idempotent set-up from environment variables, run on every start: the desired state
// is whatever the environment says, so restarting with the same env changes nothing.
const { ensureAdminUser } = require('./bootstrap/admin-user');
const { ensureApiToken } = require('./bootstrap/api-token');
const { ensureWebhook } = require('./bootstrap/webhook');
const { assertStrongSecrets } = require('./secret-rule');

async function bootstrapFromEnv(strapi, env = process.env) {
  assertStrongSecrets(env);
  await ensureAdminUser(strapi, {
    email: env.MULTICAM_ADMIN_EMAIL,
    password: env.MULTICAM_ADMIN_PASSWORD,
    firstname: env.MULTICAM_ADMIN_FIRSTNAME || 'Multicam',
    lastname: env.MULTICAM_ADMIN_LASTNAME || 'Admin',
  });
  await ensureApiToken(strapi, {
    name: env.MULTICAM_API_TOKEN_NAME || 'multicam-worker',
    accessKey: env.MULTICAM_API_TOKEN,
  });
  await ensureWebhook(strapi, {
    name: env.MULTICAM_WEBHOOK_NAME || 'multicam-worker',
    url: env.MULTICAM_WEBHOOK_URL,
    secret: env.MULTICAM_WEBHOOK_SECRET,
    header: env.MULTICAM_WEBHOOK_SECRET_HEADER || 'X-Multicam-Webhook-Secret',
  });
}

module.exports = { bootstrapFromEnv };
