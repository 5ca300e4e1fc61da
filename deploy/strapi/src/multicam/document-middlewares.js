'use strict';

const { cascadeDelete } = require('./cascade');
const { maintainNaturalKeys } = require('./natural-keys');
const { translateUniqueViolations } = require('./unique-errors');

function registerDocumentMiddlewares(strapi) {
  // Registered first = outermost: it sees the violation from any layer below.
  strapi.documents.use((context, next) => translateUniqueViolations(strapi, context, next));
  strapi.documents.use((context, next) =>
    context.action === 'delete' ? cascadeDelete(strapi, context, next) : maintainNaturalKeys(strapi, context, next)
  );
}

module.exports = { registerDocumentMiddlewares };
