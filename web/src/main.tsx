// Entry of the dashboard: routes under /app, the session and the notifications around them.
import './styles.css';
import './i18n.js';
import type { ReactNode } from 'react';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useTranslation } from 'react-i18next';
import { createBrowserRouter, Navigate, Outlet, RouterProvider } from 'react-router';
import { DASHBOARD_BASE } from '../../src/http/dashboard/contract.js';
import { AppLayout } from './components/Layout.js';
import { keepTableCellsLabelled } from './components/table-labels.js';
import { ToastProvider } from './components/toast.js';
import { SignInPage, SignUpPage } from './pages/Auth.js';
import { AdminAccountsPage } from './pages/admin/Accounts.js';
import { AdminCostsPage } from './pages/admin/Costs.js';
import { AdminMarginPage } from './pages/admin/Margin.js';
import { AdminNumbersPage } from './pages/admin/Numbers.js';
import { AdminProvidersPage } from './pages/admin/Providers.js';
import { AdminRatesPage } from './pages/admin/Rates.js';
import { AdminRoutesPage } from './pages/admin/Routes.js';
import { AdminSendersPage } from './pages/admin/Senders.js';
import { AdminVolumePage } from './pages/admin/Volume.js';
import { CampaignDetailPage, CampaignsPage } from './pages/Campaigns.js';
import { ComposePage } from './pages/Compose.js';
import { ConversationPage, InboxPage } from './pages/Inbox.js';
import { InvitationPage } from './pages/Invitation.js';
import { NotFoundContent, NotFoundPage } from './pages/NotFound.js';
import { OptOutsPage } from './pages/OptOuts.js';
import { OverviewPage } from './pages/Overview.js';
import { RatesPage } from './pages/Rates.js';
import { SendersPage } from './pages/Senders.js';
import { SettingsPage } from './pages/Settings.js';
import { TokensPage } from './pages/Tokens.js';
import { TransactionsPage } from './pages/Transactions.js';
import { SessionProvider, useMe } from './session.js';

function Providers({ children }: { readonly children: ReactNode }) {
  return (
    <ToastProvider>
      <SessionProvider>{children}</SessionProvider>
    </ToastProvider>
  );
}

/** Operator pages; anyone else gets the not-found page, as for a page that does not exist. */
function OperatorOnly() {
  const me = useMe();
  const { t } = useTranslation();
  return me.user.role === 'admin' ? <Outlet /> : <NotFoundContent title={t('notFound.title')} />;
}

const router = createBrowserRouter(
  [
    {
      element: (
        <Providers>
          <Outlet />
        </Providers>
      ),
      children: [
        { path: 'signin', element: <SignInPage /> },
        { path: 'signup', element: <SignUpPage /> },
        { path: 'invite', element: <InvitationPage /> },
        {
          element: <AppLayout />,
          children: [
            { index: true, element: <OverviewPage /> },
            { path: 'compose', element: <ComposePage /> },
            { path: 'campaigns', element: <CampaignsPage /> },
            { path: 'campaigns/:id', element: <CampaignDetailPage /> },
            { path: 'opt-outs', element: <OptOutsPage /> },
            { path: 'inbox', element: <InboxPage /> },
            { path: 'inbox/:phone', element: <ConversationPage /> },
            { path: 'transactions', element: <TransactionsPage /> },
            { path: 'senders', element: <SendersPage /> },
            { path: 'rates', element: <RatesPage /> },
            { path: 'tokens', element: <TokensPage /> },
            { path: 'settings', element: <SettingsPage /> },
            {
              path: 'admin',
              element: <OperatorOnly />,
              children: [
                { index: true, element: <Navigate to="accounts" replace /> },
                { path: 'accounts', element: <AdminAccountsPage /> },
                { path: 'senders', element: <AdminSendersPage /> },
                { path: 'rates', element: <AdminRatesPage /> },
                { path: 'providers', element: <AdminProvidersPage /> },
                { path: 'costs', element: <AdminCostsPage /> },
                { path: 'routes', element: <AdminRoutesPage /> },
                { path: 'numbers', element: <AdminNumbersPage /> },
                { path: 'volume', element: <AdminVolumePage /> },
                { path: 'margin', element: <AdminMarginPage /> },
              ],
            },
            { path: '*', element: <NotFoundPage /> },
          ],
        },
      ],
    },
  ],
  { basename: DASHBOARD_BASE },
);

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
keepTableCellsLabelled(root);
createRoot(root).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
);
