'use strict';

// Strapi 5 only unlinks relations on delete (the child keeps `session: null`), so
// children are deleted explicitly, through the document service so that nested
// cascades run and every deletion fires its own entry.delete webhook.
const { SESSION, ASSET, DERIVED, SYNC_RESULT } = require('./uids');

const CHILDREN = {
  [SESSION]: [
    { uid: ASSET, relation: 'session' },
    { uid: SYNC_RESULT, relation: 'session' },
  ],
  [ASSET]: [{ uid: DERIVED, relation: 'asset' }],
};

async function childDocumentIds(strapi, child, parentDocumentId) {
  const rows = await strapi.db.query(child.uid).findMany({
    select: ['documentId'],
    where: { [child.relation]: { documentId: parentDocumentId } },
  });
  return [...new Set(rows.map((row) => row.documentId))];
}

async function cascadeDelete(strapi, context, next) {
  const children = CHILDREN[context.uid];
  const documentId = context.params && context.params.documentId;
  if (!children || !documentId) return next();

  // One transaction: either the parent and all its descendants go, or nothing does.
  return strapi.db.transaction(async () => {
    const doomed = [];
    for (const child of children) {
      for (const id of await childDocumentIds(strapi, child, documentId)) {
        doomed.push({ uid: child.uid, documentId: id });
      }
    }
    const result = await next();
    for (const { uid, documentId: id } of doomed) {
      await strapi.documents(uid).delete({ documentId: id });
    }
    return result;
  });
}

module.exports = { cascadeDelete, CHILDREN };
