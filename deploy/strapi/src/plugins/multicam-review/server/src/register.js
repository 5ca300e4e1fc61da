'use strict';

const { PLUGIN_ID } = require('./constants');
const { refuseRawReviewWrites } = require('./services/raw-review-guard');

module.exports = async ({ strapi }) => {
  // Registered before the admin's bootstrap, which grants every known action to the
  // super admin and drops unknown ones from the roles.
  await strapi.service('admin::permission').actionProvider.registerMany([
    {
      section: 'plugins',
      displayName: 'Review and approve sync',
      uid: 'review',
      pluginName: PLUGIN_ID,
    },
    {
      section: 'plugins',
      displayName: 'Upload camera files',
      uid: 'upload',
      pluginName: PLUGIN_ID,
    },
  ]);
  strapi.documents.use((context, next) => refuseRawReviewWrites(strapi, context, next));
};
