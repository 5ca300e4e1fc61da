'use strict';

const { PLUGIN_ID, PROTECTED_FIELDS } = require('./constants');

/** Shows the worker-written fields read-only in the Content Manager's edit view. */
async function lockProtectedFields(strapi) {
  const contentTypes = strapi.plugin('content-manager').service('content-types');
  for (const [uid, fields] of Object.entries(PROTECTED_FIELDS)) {
    const contentType = contentTypes.findContentType(uid);
    if (!contentType) continue;
    const { settings, metadatas, layouts } = await contentTypes.findConfiguration(contentType);
    let changed = false;
    for (const field of fields) {
      const edit = metadatas?.[field]?.edit;
      if (edit && edit.editable !== false) {
        edit.editable = false;
        changed = true;
      }
    }
    if (changed) await contentTypes.updateConfiguration(contentType, { settings, metadatas, layouts });
  }
}

module.exports = async ({ strapi }) => {
  await lockProtectedFields(strapi);
  const { serviceUrl, serviceToken } = strapi.config.get(`plugin::${PLUGIN_ID}`);
  if (!serviceUrl || !serviceToken) {
    strapi.log.warn(
      `[${PLUGIN_ID}] MULTICAM_SERVICE_URL or MULTICAM_ADMIN_PANEL_TOKEN is not set: the sync card ` +
        'cannot reach the multicam service'
    );
  }
};
