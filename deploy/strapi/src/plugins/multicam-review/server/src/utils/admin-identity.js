'use strict';

// The signed admin identity the plugin sends with every /v2 call (the service checks it
// in worker/api/v2/admin_identity.py): an HMAC-SHA256 keyed by the panel's token over
// the time, the method, the request target exactly as sent, the user's id and e-mail.
// A captured request then cannot be replayed minutes later, re-aimed at another route,
// or re-signed for another admin user without the token.
const { createHmac } = require('node:crypto');

const ADMIN_ID_HEADER = 'X-Multicam-Admin-User-Id';
const ADMIN_EMAIL_HEADER = 'X-Multicam-Admin-User-Email';
const SIGNATURE_HEADER = 'X-Multicam-Admin-Signature';
const VERSION = 'v1';

/** The signed text: a version line, then one field per line. */
function canonical(timestamp, method, target, user) {
  return [
    `multicam-admin-identity-${VERSION}`,
    String(timestamp),
    method.toUpperCase(),
    target,
    String(user.id),
    user.email,
  ].join('\n');
}

/**
 * The three identity headers for one request.
 * @param {string} token MULTICAM_ADMIN_PANEL_TOKEN
 * @param {number} timestamp Unix seconds
 * @param {string} method
 * @param {URL} url the URL the request goes to (its path and query are signed as sent)
 * @param {{id: number, email: string}} user the logged-in admin user
 */
function identityHeaders(token, timestamp, method, url, user) {
  const target = `${url.pathname}${url.search}`;
  const digest = createHmac('sha256', token)
    .update(canonical(timestamp, method, target, user))
    .digest('hex');
  return {
    [ADMIN_ID_HEADER]: String(user.id),
    [ADMIN_EMAIL_HEADER]: user.email,
    [SIGNATURE_HEADER]: `t=${timestamp},${VERSION}=${digest}`,
  };
}

module.exports = { identityHeaders, canonical, ADMIN_ID_HEADER, ADMIN_EMAIL_HEADER, SIGNATURE_HEADER };
