// The signed-in frame: skip link, sidebar navigation (a menu on narrow screens), top bar with the account, content.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { api, serverText } from '../api.js';
import { money } from '../format.js';
import { useSession } from '../session.js';
import { Icon, type IconName } from './icons.js';
import { LanguageSwitch } from './LanguageSwitch.js';
import { useToast } from './toast.js';
import { Loading } from './ui.js';

interface NavItem {
  readonly to: string;
  readonly label: string;
  readonly icon: IconName;
  readonly end?: boolean;
}

type Translate = ReturnType<typeof useTranslation>['t'];

const customerNav = (t: Translate): readonly { readonly title: string; readonly items: readonly NavItem[] }[] => [
  {
    title: t('layout.messaging'),
    items: [
      { to: '/', label: t('nav.overview'), icon: 'home', end: true },
      { to: '/compose', label: t('nav.compose'), icon: 'send' },
      { to: '/campaigns', label: t('nav.campaigns'), icon: 'list' },
      { to: '/inbox', label: t('inbox.nav'), icon: 'inbox' },
      { to: '/opt-outs', label: t('nav.optOuts'), icon: 'block' },
    ],
  },
  {
    title: t('layout.account'),
    items: [
      { to: '/transactions', label: t('nav.transactions'), icon: 'wallet' },
      { to: '/senders', label: t('nav.senders'), icon: 'tag' },
      { to: '/rates', label: t('nav.rates'), icon: 'globe' },
      { to: '/tokens', label: t('nav.tokens'), icon: 'key' },
      { to: '/settings', label: t('nav.settings'), icon: 'settings' },
    ],
  },
];

const operatorNav = (t: Translate): readonly NavItem[] => [
  { to: '/admin/accounts', label: t('nav.adminAccounts'), icon: 'users' },
  { to: '/admin/senders', label: t('nav.adminSenders'), icon: 'check' },
  { to: '/admin/rates', label: t('nav.adminRates'), icon: 'table' },
  { to: '/admin/providers', label: t('nav.adminProviders'), icon: 'activity' },
  { to: '/admin/costs', label: t('costs.nav'), icon: 'tag' },
  { to: '/admin/routes', label: t('routes.nav'), icon: 'globe' },
  { to: '/admin/numbers', label: t('opsNumbers.nav'), icon: 'inbox' },
  { to: '/admin/volume', label: t('nav.adminVolume'), icon: 'chart' },
  { to: '/admin/margin', label: t('margin.title'), icon: 'chart' },
];

function NavList({ items }: { readonly items: readonly NavItem[] }) {
  return (
    <ul className="nav-list">
      {items.map((item) => (
        <li key={item.to}>
          <NavLink to={item.to} end={item.end} className="nav-link">
            <Icon name={item.icon} />
            <span>{item.label}</span>
          </NavLink>
        </li>
      ))}
    </ul>
  );
}

export function AppLayout() {
  const { t } = useTranslation();
  const { me, signedOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const toast = useToast();
  const [menuOpen, setMenuOpen] = useState(false);
  const mainRef = useRef<HTMLElement>(null);
  const firstPath = useRef(location.pathname);

  // On navigation: close the narrow-screen menu and move focus to the new page, as a full page load would.
  useEffect(() => {
    setMenuOpen(false);
    if (location.pathname !== firstPath.current) {
      firstPath.current = location.pathname;
      mainRef.current?.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }
  }, [location.pathname]);

  if (me === undefined) {
    return (
      <div className="splash">
        <Loading label={t('layout.loading')} />
      </div>
    );
  }
  if (me === null) return <Navigate to="/signin" replace state={{ from: `${location.pathname}${location.search}` }} />;

  const signOut = async () => {
    try {
      await api.post('/logout');
    } catch {
      // The session may already be gone; signing out locally is what matters.
    }
    signedOut();
    toast(t('layout.signedOut'), 'info');
    navigate('/signin', { replace: true });
  };

  return (
    <>
      <a href="#main" className="skip-link">
        {t('common.skipToContent')}
      </a>
      <div className="shell">
        <aside className={`sidebar${menuOpen ? ' sidebar-open' : ''}`} id="sidebar">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              <svg viewBox="0 0 32 32" width="28" height="28" focusable="false" aria-hidden="true">
                <rect width="32" height="32" rx="8" fill="#6366f1" />
                <path d="M8 10h16v10H14l-4 4v-4H8z" fill="white" />
              </svg>
            </span>
            <span className="brand-name">SMSgic</span>
          </div>
          <nav aria-label={t('layout.mainNav')} className="nav">
            {customerNav(t).map((section) => (
              <div key={section.title} className="nav-section">
                <p className="nav-section-title">{section.title}</p>
                <NavList items={section.items} />
              </div>
            ))}
          </nav>
          {me.user.role === 'admin' && (
            <nav aria-label={t('layout.operatorNav')} className="nav nav-operator">
              <div className="nav-section">
                <p className="nav-section-title">{t('layout.operator')}</p>
                <NavList items={operatorNav(t)} />
              </div>
            </nav>
          )}
        </aside>
        <div className="main-column">
          <header className="topbar">
            <button
              type="button"
              className="icon-button menu-button"
              aria-expanded={menuOpen}
              aria-controls="sidebar"
              aria-label={t('layout.menu')}
              onClick={() => setMenuOpen((open) => !open)}
            >
              <Icon name="menu" size={22} />
            </button>
            <div className="topbar-account">
              <span className="topbar-company">{me.account.name}</span>
              <NavLink to="/transactions" className="topbar-balance">
                <span className="visually-hidden">{t('layout.balance')}</span>
                {money(me.account.balance, me.account.sign)}
              </NavLink>
            </div>
            <div className="topbar-user">
              <LanguageSwitch />
              <span className="topbar-email">{me.user.email}</span>
              {me.user.role === 'admin' && <span className="badge badge-accent">{t('layout.operator')}</span>}
              <button type="button" className="btn btn-ghost btn-small" onClick={signOut}>
                <Icon name="logout" size={16} />
                <span>{t('layout.signOut')}</span>
              </button>
            </div>
          </header>
          {menuOpen && (
            <button
              type="button"
              className="scrim"
              aria-label={t('layout.closeMenu')}
              tabIndex={-1}
              onClick={() => setMenuOpen(false)}
            />
          )}
          <main id="main" ref={mainRef} tabIndex={-1} className="content">
            {me.account.suspended && (
              <div className="banner banner-danger" role="alert">
                {serverText('accountSuspendedExplained')}
              </div>
            )}
            <Outlet />
          </main>
        </div>
      </div>
    </>
  );
}
