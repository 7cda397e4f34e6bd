import { defineComponent } from 'vue';
import { RouterLink, RouterView, useRouter } from 'vue-router';
import { endSession, isRootAdmin, session } from './auth/session.ts';
import { locale, setLocale, t } from './i18n/locale.ts';
import { services } from './services.ts';

/** Moves focus into the page itself: a fragment link alone only scrolls in some browsers. */
function skipToMain(event: MouseEvent): void {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

/** The frame of every page: skip link, header with navigation, language and session, and the page itself. */
export const App = defineComponent({
  name: 'App',
  setup() {
    const router = useRouter();
    const rootAdmin = isRootAdmin(services().divisions.root.code);
    const signOut = async (): Promise<void> => {
      endSession();
      await router.push('/sign-in');
    };
    return () => {
      const m = t.value;
      const current = session.value;
      return (
        <>
          <a class="skip-link" href="#main" onClick={skipToMain}>
            {m.app.skip}
          </a>
          <header class="topbar">
            <div class="topbar__brand">
              <span class="topbar__title">{m.app.title}</span>
              <span class="topbar__subtitle">{m.app.subtitle}</span>
            </div>
            {current === undefined ? null : (
              <nav aria-label={m.app.mainNav} class="topbar__nav">
                <RouterLink to="/">{m.nav.overview}</RouterLink>
                <RouterLink to="/explain">{m.nav.explain}</RouterLink>
                <RouterLink to="/publications">{m.nav.publications}</RouterLink>
                <RouterLink to="/events">{m.nav.events}</RouterLink>
                {rootAdmin.value ? <RouterLink to="/maintenance">{m.nav.maintenance}</RouterLink> : null}
              </nav>
            )}
            <div class="topbar__session">
              <button
                type="button"
                class="button button--ghost"
                lang={locale.value === 'zh' ? 'en' : 'zh-CN'}
                aria-label={`${m.language.label}: ${m.language.switchTo}`}
                data-testid="language"
                onClick={() => setLocale(locale.value === 'zh' ? 'en' : 'zh')}
              >
                {m.language.switchTo}
              </button>
              {current === undefined ? null : (
                <>
                  <span class="topbar__who" data-testid="who">
                    {m.signedInAs(m.roles[current.role], services().divisions.name(current.division))}
                  </span>
                  <button type="button" class="button button--ghost" onClick={() => void signOut()}>
                    {m.nav.signOut}
                  </button>
                </>
              )}
            </div>
          </header>
          <main id="main" tabindex={-1}>
            <RouterView />
          </main>
        </>
      );
    };
  },
});
