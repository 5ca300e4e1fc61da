import { Faders } from '@strapi/icons';
import { PLUGIN_ID, REVIEW_ACTION } from './pluginId.js';
import { SyncPanel } from './components/SyncPanel.jsx';

export default {
  register(app) {
    app.registerPlugin({ id: PLUGIN_ID, name: 'Sync review' });
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: Faders,
      intlLabel: { id: `${PLUGIN_ID}.menu`, defaultMessage: 'Sync review' },
      permissions: [{ action: REVIEW_ACTION, subject: null }],
      Component: () => import('./pages/App.jsx'),
    });
  },

  bootstrap(app) {
    app.getPlugin('content-manager').apis.addEditViewSidePanel([SyncPanel]);
  },
};
