/** The console's pages and who may open them. */
import { createRouter, createWebHistory } from 'vue-router';
import { session } from './auth/session.ts';
import { ExplainPage } from './pages/ExplainPage.tsx';
import { EventsPage } from './pages/EventsPage.tsx';
import { IndicatorPage } from './pages/IndicatorPage.tsx';
import { MaintenancePage } from './pages/MaintenancePage.tsx';
import { OverviewPage } from './pages/OverviewPage.tsx';
import { PublicationsPage } from './pages/PublicationsPage.tsx';
import { SignInCallbackPage, SignInPage } from './pages/SignInPage.tsx';
import { services } from './services.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** Open without a session. */
    public?: boolean;
    /** Only for an admin of the root division: the API would answer 403 to anyone else. */
    rootAdmin?: boolean;
  }
}

export function createConsoleRouter() {
  const router = createRouter({
    history: createWebHistory('/'),
    routes: [
      { path: '/', component: OverviewPage },
      { path: '/indicators/:id', component: IndicatorPage },
      { path: '/explain', component: ExplainPage },
      { path: '/publications', component: PublicationsPage },
      { path: '/events', component: EventsPage },
      { path: '/maintenance', component: MaintenancePage, meta: { rootAdmin: true } },
      { path: '/sign-in', component: SignInPage, meta: { public: true } },
      { path: '/auth/callback', component: SignInCallbackPage, meta: { public: true } },
      { path: '/:unknown(.*)*', redirect: '/' },
    ],
  });
  router.beforeEach((to) => {
    if (to.meta.public === true) return true;
    if (session.value === undefined) return { path: '/sign-in', query: { next: to.fullPath } };
    const rootAdmin = session.value.role === 'admin' && session.value.division === services().divisions.root.code;
    if (to.meta.rootAdmin === true && !rootAdmin) return { path: '/' };
    return true;
  });
  return router;
}
