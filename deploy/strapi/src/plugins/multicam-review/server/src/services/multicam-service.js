'use strict';

// Server-to-server calls to the multicam service's /v2 review API: one set of review
// rules, kept in the service. The plugin's own credential (MULTICAM_ADMIN_PANEL_TOKEN)
// lets it act for the logged-in admin user, whom it names in signed headers
// (utils/admin-identity.js); the service signs the review with that user and trusts
// those headers from no one else.
const { PLUGIN_ID } = require('../constants');
const { identityHeaders } = require('../utils/admin-identity');

class ServiceError extends Error {
  /**
   * @param {number} status HTTP status to answer the admin with
   * @param {{error: {code: string, message: string, details?: object[]}}} body
   */
  constructor(status, body) {
    super(body.error.message);
    this.status = status;
    this.body = body;
  }
}

function problem(status, code, message) {
  return new ServiceError(status, { error: { code, message } });
}

module.exports = ({ strapi }) => {
  const settings = () => strapi.config.get(`plugin::${PLUGIN_ID}`);

  /**
   * Call the service as `user` (the admin user from ctx.state.user).
   * Returns the fetch Response for 2xx; throws ServiceError otherwise.
   */
  async function call(user, method, path, { body, query, headers: extra } = {}) {
    const { serviceUrl, serviceToken, requestTimeoutMs } = settings();
    if (!serviceUrl || !serviceToken) {
      throw problem(
        503,
        'service_not_configured',
        'Strapi does not know where the multicam service ' +
          'is: set MULTICAM_SERVICE_URL and MULTICAM_ADMIN_PANEL_TOKEN in its environment'
      );
    }
    const url = new URL(path, serviceUrl.endsWith('/') ? serviceUrl : `${serviceUrl}/`);
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    }
    const headers = {
      ...extra,
      Authorization: `Bearer ${serviceToken}`,
      ...identityHeaders(serviceToken, Math.floor(Date.now() / 1000), method, url, user),
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (err) {
      strapi.log.warn(`[${PLUGIN_ID}] ${method} ${url.pathname}: ${err.message}`);
      throw problem(
        502,
        'service_unreachable',
        `the multicam service at ${url.origin} did not answer ` +
          `(${err.name === 'TimeoutError' ? 'timed out' : err.cause?.code || err.message}); try again in a moment`
      );
    }
    if (response.ok) return response;
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    if (payload?.error?.message) throw new ServiceError(response.status, payload);
    if (response.status === 401) {
      throw problem(
        502,
        'service_refused_plugin',
        "the multicam service refused the admin panel's " +
          'credential: MULTICAM_ADMIN_PANEL_TOKEN must be the same in Strapi and in the service'
      );
    }
    throw problem(
      502,
      'service_error',
      `the multicam service answered ${response.status} to ${method} ${url.pathname}`
    );
  }

  async function json(user, method, path, options) {
    const response = await call(user, method, path, options);
    return response.json();
  }

  return { call, json, ServiceError };
};

module.exports.ServiceError = ServiceError;
