'use strict';

// A unique-index violation surfaces from the database driver as a bare error, which
// Strapi answers with 500. Clients need a 400 naming the field, the same shape as
// Strapi's own "This attribute must be unique" validation error.
const { errors } = require('@strapi/utils');

const MESSAGE = 'This attribute must be unique';

function isUniqueViolation(error) {
  if (!error) return false;
  return error.code === '23505' || error.code === 'SQLITE_CONSTRAINT_UNIQUE' || error.errno === 1062;
}

// What a duplicate means, in words an operator in the admin understands.
const DUPLICATE = {
  'api::media-asset.media-asset': 'This session already has an asset for this camera',
  'api::derived-media.derived-media': 'This asset already has derived media of this kind',
  'api::sync-result.sync-result': 'This session already has a sync result',
};

function columnOf(error) {
  // postgres: 'Key (natural_key)=(abc:A) already exists.'; sqlite: 'UNIQUE constraint failed: t.natural_key'
  const pg = /Key \(([^)]+)\)=/.exec(error.detail || '');
  if (pg) return pg[1];
  const lite = /UNIQUE constraint failed: [^.]+\.(\w+)/.exec(error.message || '');
  return lite ? lite[1] : null;
}

function attributeForColumn(strapi, uid, column) {
  const meta = strapi.db.metadata.get(uid);
  for (const [name, attribute] of Object.entries(meta.attributes)) {
    if ((attribute.columnName || name) === column) return name;
  }
  return column;
}

async function translateUniqueViolations(strapi, context, next) {
  try {
    return await next();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const column = columnOf(error);
    const attribute = column ? attributeForColumn(strapi, context.uid, column) : null;
    const message =
      attribute === 'naturalKey' && DUPLICATE[context.uid] ? `${DUPLICATE[context.uid]} (naturalKey)` : MESSAGE;
    throw new errors.ValidationError(message, {
      errors: [{ path: attribute ? [attribute] : [], message, name: 'ValidationError' }],
    });
  }
}

module.exports = { translateUniqueViolations };
