import { Route, Routes } from 'react-router-dom';
import { Page } from '@strapi/strapi/admin';
import { REVIEW_ACTION } from '../pluginId.js';
import { SessionList } from './SessionList.jsx';
import { ReviewPage } from './ReviewPage.jsx';

const PERMISSIONS = [{ action: REVIEW_ACTION, subject: null }];

export default function App() {
  return (
    <Page.Protect permissions={PERMISSIONS}>
      <Routes>
        <Route index element={<SessionList />} />
        <Route path="sessions/:sessionId" element={<ReviewPage />} />
      </Routes>
    </Page.Protect>
  );
}
