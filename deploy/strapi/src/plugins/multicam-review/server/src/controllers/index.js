'use strict';

const review = require('./review');

module.exports = { review };
