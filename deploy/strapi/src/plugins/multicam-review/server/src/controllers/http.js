'use strict';

// What every plugin route answers with on failure: the service's own error body
// ({error: {code, message}}) or one of the same shape.
const { ServiceError } = require('../services/multicam-service');

const ID = /^[A-Za-z0-9_-]{1,64}$/;

function fail(ctx, status, code, message) {
  ctx.status = status;
  ctx.body = { error: { code, message } };
}

/** Runs a handler, answering the service's own error body (code, message) on failure. */
const handled = (fn) => async (ctx) => {
  try {
    await fn(ctx);
  } catch (err) {
    if (err instanceof ServiceError) {
      ctx.status = err.status;
      ctx.body = err.body;
      return;
    }
    throw err;
  }
};

/** The route's document id parameter `name`, or null after answering 400. */
function idParam(ctx, name = 'id') {
  const value = ctx.params[name];
  if (!ID.test(value || '')) {
    fail(ctx, 400, 'invalid_id', `"${value}" is not a document id`);
    return null;
  }
  return value;
}

module.exports = { fail, handled, idParam };
