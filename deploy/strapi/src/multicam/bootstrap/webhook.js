'use strict';

const EVENTS = ['entry.create', 'entry.update', 'entry.delete'];

function sameWebhook(current, wanted) {
  return (
    current.url === wanted.url &&
    current.isEnabled === true &&
    JSON.stringify([...current.events].sort()) === JSON.stringify([...wanted.events].sort()) &&
    JSON.stringify(current.headers || {}) === JSON.stringify(wanted.headers)
  );
}

async function ensureWebhook(strapi, { name, url, secret, header }) {
  const store = strapi.get('webhookStore');
  const runner = strapi.get('webhookRunner');
  const existing = (await store.findWebhooks()).filter((w) => w.name === name);

  if (!url) {
    // Unset means "no worker webhook": drop the one a previous start registered.
    for (const webhook of existing) {
      await store.deleteWebhook(webhook.id);
      runner.remove(webhook);
      strapi.log.info(`[multicam] removed webhook "${name}" (MULTICAM_WEBHOOK_URL is not set)`);
    }
    return;
  }
  if (!secret) {
    throw new Error('MULTICAM_WEBHOOK_SECRET is required with MULTICAM_WEBHOOK_URL: the header is the only protection');
  }

  const wanted = { name, url, headers: { [header]: secret }, events: EVENTS, isEnabled: true };
  const [current, ...duplicates] = existing;
  for (const extra of duplicates) {
    await store.deleteWebhook(extra.id);
    runner.remove(extra);
  }
  if (!current) {
    runner.add(await store.createWebhook(wanted));
    strapi.log.info(`[multicam] registered webhook "${name}" -> ${url}`);
  } else if (!sameWebhook(current, wanted)) {
    runner.update(await store.updateWebhook(current.id, wanted));
    strapi.log.info(`[multicam] updated webhook "${name}" -> ${url}`);
  }
}

module.exports = { ensureWebhook, EVENTS };
