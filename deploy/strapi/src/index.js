'use strict';

const { registerDocumentMiddlewares } = require('./multicam/document-middlewares');
const { bootstrapFromEnv } = require('./multicam/bootstrap');

module.exports = {
  register({ strapi }) {
    registerDocumentMiddlewares(strapi);
  },

  async bootstrap({ strapi }) {
    await bootstrapFromEnv(strapi);
  },
};
