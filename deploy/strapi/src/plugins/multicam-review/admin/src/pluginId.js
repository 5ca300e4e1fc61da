// The plugin's id, read from the package's strapi.name (as server/src/constants.js
// does), and the names made from it, for the admin half. Not in lib/constants.mjs: the
// pure modules there run under `node --test` too, and Node 20 imports JSON only with an
// import attribute (experimental); the admin's Vite build imports it as it is.
import pkg from '../../package.json';

export const PLUGIN_ID = pkg.strapi.name;
export const REVIEW_ACTION = `plugin::${PLUGIN_ID}.review`;
export const API = `/${PLUGIN_ID}`;
