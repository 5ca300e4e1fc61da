'use strict';

// The rule every secret follows, the same as the service's (worker/secret_rule.py;
// tests/deploy/test_secret_rule.py keeps the two identical): never a placeholder the
// example files ship, and our own secrets at least 32 characters. An operator who fixes
// only what refuses to start must not run a service anyone can drive with `change-me`.

const MIN_SECRET_LENGTH = 32;

// Compared case-insensitively.
const PLACEHOLDERS = [
  'change-me', 'change-me-1', 'change-me-2', 'change-me-3', 'change-me-4',
  'changeme', 'change_me', 'tobemodified', 'secret', 'password', 'token',
];

// Strapi's own secrets: never a placeholder, and at least 16 characters each (what
// deploy/strapi/run makes: 16 random bytes in base64 are 24): a short key or salt is
// one anyone can guess, and Strapi itself checks none of them.
const STRAPI_MIN_SECRET_LENGTH = 16;
const STRAPI_SECRETS = [
  'APP_KEYS', 'API_TOKEN_SALT', 'ADMIN_JWT_SECRET', 'JWT_SECRET', 'TRANSFER_TOKEN_SALT',
  'ENCRYPTION_KEY',
];

// Ours: checked when set (empty keeps its meaning: the feature is off).
const OWN_SECRETS = ['MULTICAM_API_TOKEN', 'MULTICAM_WEBHOOK_SECRET', 'MULTICAM_ADMIN_PANEL_TOKEN'];

function isPlaceholder(value) {
  return PLACEHOLDERS.includes(String(value).trim().toLowerCase());
}

function secretProblem(value) {
  if (isPlaceholder(value)) return `is the placeholder "${value}"`;
  if (value.length < MIN_SECRET_LENGTH) {
    return `is ${value.length} characters long; secrets need at least ${MIN_SECRET_LENGTH} (e.g. \`openssl rand -hex 32\`)`;
  }
  return null;
}

// One message per variable that breaks the rule.
function weakSecrets(env) {
  const problems = [];
  for (const name of STRAPI_SECRETS) {
    if (!env[name]) continue; // missing: Strapi itself refuses to start without it
    const parts = env[name].split(',');
    const bad = parts.find((part) => isPlaceholder(part));
    const short = parts.find((part) => part.trim().length < STRAPI_MIN_SECRET_LENGTH);
    if (bad !== undefined) problems.push(`${name} is the placeholder "${bad.trim()}"`);
    else if (short !== undefined) {
      problems.push(
        `${name} ${parts.length > 1 ? 'has a part' : 'is'} ${short.trim().length} characters long; ` +
          `Strapi's secrets need at least ${STRAPI_MIN_SECRET_LENGTH} (e.g. \`openssl rand -base64 16\`)`
      );
    }
  }
  for (const name of OWN_SECRETS) {
    const value = env[name];
    const problem = value ? secretProblem(value) : null;
    if (problem) problems.push(`${name} ${problem}`);
  }
  return problems;
}

function assertStrongSecrets(env) {
  const problems = weakSecrets(env);
  if (problems.length > 0) {
    throw new Error(`refusing to start: ${problems.join('; ')}`);
  }
}

module.exports = {
  MIN_SECRET_LENGTH,
  STRAPI_MIN_SECRET_LENGTH,
  PLACEHOLDERS,
  weakSecrets,
  assertStrongSecrets,
};
