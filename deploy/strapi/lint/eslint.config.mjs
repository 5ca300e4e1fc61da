// ESLint for the multicam-review plugin, run from the plugin's directory by ./run (so
// the patterns below are relative to it). Each half gets the globals of where it runs.
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import react from 'eslint-plugin-react';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

// The React the admin panel is built with is the Strapi app's (its package.json says
// which); "detect" would need the app's node_modules installed.
const app = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const reactVersion = app.dependencies.react.replace(/^[^\d]*/, '');

export default [
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      'no-unused-vars': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
  // Admin half: ES modules bundled by Strapi's Vite build, with React.
  {
    files: ['admin/**/*.{js,jsx,mjs}', 'strapi-admin.js'],
    languageOptions: { sourceType: 'module', parserOptions: { ecmaFeatures: { jsx: true } } },
    settings: { react: { version: reactVersion } },
    plugins: { react, 'react-hooks': reactHooks },
    rules: {
      ...react.configs.flat.recommended.rules,
      // The automatic JSX runtime (Strapi's Vite build): no `React` in scope needed.
      ...react.configs.flat['jsx-runtime'].rules,
      // No PropTypes: the components are the plugin's own, not a library's.
      'react/prop-types': 'off',
      // Quotes and apostrophes are plain text in JSX; only `>` and `}` hint at a typo.
      'react/no-unescaped-entities': ['error', { forbid: ['>', '}'] }],
      // Only the two classic hooks rules: the plugin's React Compiler rules are not
      // wanted without the compiler.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  // Where each admin file runs (separate blocks: globals of matching blocks add up).
  {
    files: ['admin/**/*.{js,jsx,mjs}', 'strapi-admin.js'],
    ignores: ['admin/src/lib/sha256.worker.js', 'admin/src/lib/__tests__/**'],
    languageOptions: { globals: globals.browser },
  },
  // The upload's hashing runs in a dedicated web worker (self, postMessage; no window).
  {
    files: ['admin/src/lib/sha256.worker.js'],
    languageOptions: { globals: globals.worker },
  },
  // The pure modules' tests run under `node --test`.
  {
    files: ['admin/src/lib/__tests__/*.test.mjs'],
    languageOptions: { globals: globals.node },
  },
  // Server half: CommonJS loaded by Strapi under Node.
  {
    files: ['server/**/*.js', 'strapi-server.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
  },
];
