'use strict';

module.exports = require('./server/src');
