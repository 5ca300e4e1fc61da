'use strict';

const { PLUGIN_ID } = require('./constants');

// Plugin settings, set in config/plugins.js from the environment.
module.exports = {
  default: {
    serviceUrl: '',
    serviceToken: '',
    requestTimeoutMs: 30000,
  },
  validator(config) {
    if (config.serviceUrl && !/^https?:\/\//.test(config.serviceUrl)) {
      throw new Error(`${PLUGIN_ID}: serviceUrl must be an http(s) URL, not "${config.serviceUrl}"`);
    }
  },
};
