'use strict';

// A natural key per entry ("<sessionDocumentId>:<cameraLabel>[:<take>]", ...) kept in a column
// with a real database unique index. Strapi's own `unique` check is a SELECT before the
// INSERT, so two concurrent creates both pass it; the index is what makes upserts safe.
// The key is computed here, never trusted from the request, and refreshed whenever
// anything it depends on may have changed (either side of the relation).
const { SESSION, ASSET, DERIVED, SYNC_RESULT } = require('./uids');

const KEYED = {
  [ASSET]: {
    relation: 'session',
    // Take 1 keeps the key it had before takes existed, so older entries stay unique.
    compute: (e) => {
      if (!e.session || !e.cameraLabel) return null;
      const take = Number.isInteger(e.take) && e.take > 1 ? `:${e.take}` : '';
      return `${e.session.documentId}:${e.cameraLabel}${take}`;
    },
  },
  [DERIVED]: {
    relation: 'asset',
    compute: (e) => (e.asset && e.kind ? `${e.asset.documentId}:${e.kind}` : null),
  },
  [SYNC_RESULT]: {
    relation: 'session',
    compute: (e) => (e.session ? e.session.documentId : null),
  },
};

// Parents whose relation edits (e.g. `assets: { connect: [...] }` on a session) move
// keyed children from one parent to another.
const KEYED_CHILDREN = {
  [SESSION]: [ASSET, SYNC_RESULT],
  [ASSET]: [DERIVED],
};

const WRITE_ACTIONS = new Set(['create', 'update', 'clone']);

async function refreshKeys(strapi, uid, where) {
  const spec = KEYED[uid];
  const rows = await strapi.db.query(uid).findMany({
    where,
    populate: { [spec.relation]: { select: ['documentId'] } },
  });
  const keys = new Map();
  for (const row of rows) {
    const key = spec.compute(row);
    keys.set(row.id, key);
    if (row.naturalKey !== key) {
      // updateMany, not update: the single-row path stamps updatedAt, and a derived
      // column changing is not an edit of the entry.
      await strapi.db.query(uid).updateMany({ where: { id: row.id }, data: { naturalKey: key } });
    }
  }
  return keys;
}

async function childIds(strapi, parentUid, documentId) {
  const ids = new Map();
  for (const childUid of KEYED_CHILDREN[parentUid] || []) {
    const relation = KEYED[childUid].relation;
    const rows = await strapi.db.query(childUid).findMany({
      select: ['id'],
      where: { [relation]: { documentId } },
    });
    ids.set(childUid, rows.map((r) => r.id));
  }
  return ids;
}

function documentIdsOf(result) {
  if (!result) return [];
  if (Array.isArray(result)) return result.flatMap(documentIdsOf);
  if (result.entries) return documentIdsOf(result.entries);
  return result.documentId ? [result.documentId] : [];
}

function patchResult(result, keys) {
  if (!result) return;
  if (Array.isArray(result)) return result.forEach((r) => patchResult(r, keys));
  if (result.entries) return patchResult(result.entries, keys);
  if (keys.has(result.id) && 'naturalKey' in result) result.naturalKey = keys.get(result.id);
}

async function maintainNaturalKeys(strapi, context, next) {
  const isKeyed = Boolean(KEYED[context.uid]);
  const isParent = Boolean(KEYED_CHILDREN[context.uid]);
  if (!WRITE_ACTIONS.has(context.action) || (!isKeyed && !isParent)) return next();

  if (context.params && context.params.data) {
    // The key is derived, never written by a client.
    delete context.params.data.naturalKey;
  }

  return strapi.db.transaction(async () => {
    const documentId = context.params && context.params.documentId;
    const before = isParent && documentId ? await childIds(strapi, context.uid, documentId) : new Map();

    const result = await next();
    const documentIds = documentIdsOf(result);

    if (isKeyed && documentIds.length > 0) {
      patchResult(result, await refreshKeys(strapi, context.uid, { documentId: { $in: documentIds } }));
    }
    if (isParent) {
      for (const id of documentIds) {
        const after = await childIds(strapi, context.uid, id);
        for (const childUid of KEYED_CHILDREN[context.uid]) {
          const ids = [...new Set([...(before.get(childUid) || []), ...(after.get(childUid) || [])])];
          if (ids.length > 0) await refreshKeys(strapi, childUid, { id: { $in: ids } });
        }
      }
    }
    return result;
  });
}

module.exports = { maintainNaturalKeys, KEYED };
