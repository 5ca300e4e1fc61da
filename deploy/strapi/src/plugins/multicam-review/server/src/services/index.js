'use strict';

const multicamService = require('./multicam-service');

module.exports = { 'multicam-service': multicamService };
