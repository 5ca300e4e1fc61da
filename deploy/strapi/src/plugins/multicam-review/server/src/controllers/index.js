'use strict';

const review = require('./review');
const upload = require('./upload');

module.exports = { review, upload };
