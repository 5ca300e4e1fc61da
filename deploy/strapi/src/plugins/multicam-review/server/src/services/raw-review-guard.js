'use strict';

// One way to approve: an operator reviews on the sync card (the plugin's routes, which
// end in the service's review rules and sign with the logged-in admin). The same
// fields typed into the Content Manager would bypass both, so the Content Manager may
// show them but not change them. The worker writes them through the REST API.
const { errors } = require('@strapi/utils');
const { PROTECTED_FIELDS } = require('../constants');

const CONTENT_MANAGER = '/content-manager/';

function fromContentManager(strapi) {
  const ctx = strapi.requestContext.get();
  const url = ctx?.request?.url || '';
  return url.startsWith(CONTENT_MANAGER);
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
  if (!fields || !['create', 'update', 'clone'].includes(context.action) || !fromContentManager(strapi)) {
    return next();
  }
  if (context.action === 'create') {
    throw new errors.PolicyError(
      'sync results are written by the multicam worker when a session is synced; they cannot be created by hand'
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

module.exports = { refuseRawReviewWrites };
