'use strict';

// One way to approve: an operator reviews on the sync card (the plugin's routes, which
// end in the service's review rules and sign with the logged-in admin). The same
// fields typed into the Content Manager would bypass both, and an asset's stored keys
// typed there would point the worker's deletes and signed links at any object, so
// only the worker may write them. The writer is known by how the request was
// authenticated, never by its URL: Strapi's router matches paths case-insensitively
// (and other routes reach the same documents), so a URL test is a test of spelling.
const { errors } = require('@strapi/utils');
const { PROTECTED_FIELDS, WORKER_CREATED } = require('../constants');

// Strapi 5.x names the content-API token strategy 'content-api-token'; older 5.x 'api-token'.
const TOKEN_STRATEGIES = new Set(['content-api-token', 'api-token']);

function workerTokenName() {
  return process.env.MULTICAM_API_TOKEN_NAME || 'multicam-worker';
}

/** True when the document call is the worker's (its API token) or Strapi's own (no request). */
function writtenByWorker(strapi) {
  const ctx = strapi.requestContext.get();
  // No request: Strapi's own start-up, cron or cascade code, which no person drives.
  if (!ctx) return true;
  const auth = ctx.state?.auth;
  return (
    ctx.state?.isAuthenticated === true &&
    TOKEN_STRATEGIES.has(auth?.strategy?.name) &&
    auth?.credentials?.name === workerTokenName()
  );
}

/** Key-order independent JSON text; dates as ISO instants. */
function canonical(value) {
  if (value === undefined || value === null || value === '') return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return JSON.stringify(date.toISOString());
  }
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function relationTouched(value) {
  if (value === undefined) return false;
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { connect = [], disconnect = [], set } = value;
    return set !== undefined || connect.length > 0 || disconnect.length > 0;
  }
  return true;
}

/** The protected fields that `data` would change on the stored entry `current`. */
function changedFields(contentType, fields, data, current) {
  return fields.filter((field) => {
    if (!(field in data)) return false;
    if (contentType.attributes[field]?.type === 'relation') return relationTouched(data[field]);
    return canonical(data[field]) !== canonical(current?.[field]);
  });
}

function refusal(fields) {
  // A PolicyError (a 403): Strapi's route guard masks any other ForbiddenError raised
  // below it as a bare "Forbidden", and the operator must read why.
  return new errors.PolicyError(
    `${fields.join(', ')} ${fields.length === 1 ? 'is' : 'are'} written by the multicam worker and ` +
      "the operator's review: use the session's sync card (Looks good / Review sync) instead",
    { fields }
  );
}

async function refuseRawReviewWrites(strapi, context, next) {
  const fields = PROTECTED_FIELDS[context.uid];
  if (!fields || !['create', 'update', 'clone'].includes(context.action) || writtenByWorker(strapi)) {
    return next();
  }
  if (context.action === 'create' && WORKER_CREATED.includes(context.uid)) {
    throw new errors.PolicyError(
      `${context.contentType?.info?.displayName || context.uid} entries are written by the multicam ` +
        'worker (from an upload or a sync); they cannot be created by hand'
    );
  }
  const data = context.params?.data || {};
  let changed;
  if (context.action === 'clone') {
    changed = fields.filter((f) => f in data);
  } else {
    const current = await strapi.db.query(context.uid).findOne({
      where: { documentId: context.params.documentId },
      select: fields.filter((f) => context.contentType.attributes[f]?.type !== 'relation'),
    });
    changed = changedFields(context.contentType, fields, data, current);
  }
  if (changed.length > 0) throw refusal(changed);
  return next();
}

module.exports = { refuseRawReviewWrites, writtenByWorker };
