'use strict';

// Strapi's admin refuses weaker passwords at login-form level; match it here so the
// operator learns at start-up, not when the login fails.
const STRONG = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{8,}$/;

async function ensureAdminUser(strapi, { email, password, firstname, lastname }) {
  if (!email || !password) {
    strapi.log.info('[multicam] MULTICAM_ADMIN_EMAIL/PASSWORD not set: no admin user created');
    return;
  }
  if (!STRONG.test(password)) {
    throw new Error(
      'MULTICAM_ADMIN_PASSWORD must have 8+ characters with a lower-case letter, an upper-case letter and a digit'
    );
  }
  const normalized = email.toLowerCase();
  const users = strapi.service('admin::user');
  // Once, on an empty database only. Afterwards the admin's users are the operators'
  // to manage: a super admin they deleted (or whose e-mail they changed) is not brought
  // back by whoever still holds the first password from the environment.
  if (await users.exists()) {
    strapi.log.info(`[multicam] admin users exist: MULTICAM_ADMIN_EMAIL (${normalized}) not applied`);
    return;
  }
  await users.createFirstAdmin({ email: normalized, password, firstname, lastname });
  strapi.log.info(`[multicam] created super admin ${normalized}`);
}

module.exports = { ensureAdminUser };
