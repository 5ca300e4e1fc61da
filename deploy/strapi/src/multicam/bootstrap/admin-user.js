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
  const existing = await strapi.db.query('admin::user').findOne({ where: { email: normalized } });
  if (existing) {
    // Never reset a password an operator may have changed in the admin.
    strapi.log.info(`[multicam] admin user ${normalized} exists`);
    return;
  }
  const attributes = { email: normalized, password, firstname, lastname };
  if (!(await users.exists())) {
    await users.createFirstAdmin(attributes);
  } else {
    const superAdmin = await strapi.service('admin::role').getSuperAdmin();
    await users.create({ ...attributes, isActive: true, registrationToken: null, roles: [superAdmin.id] });
  }
  strapi.log.info(`[multicam] created super admin ${normalized}`);
}

module.exports = { ensureAdminUser };
