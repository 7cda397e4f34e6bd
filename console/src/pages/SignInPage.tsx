import { defineComponent, onMounted, ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { Role } from '../auth/session.ts';
import { completeOidcSignIn, signInLocally, signInWithOidc } from '../auth/session.ts';
import { describeError, useAction } from '../components/load.ts';
import { ProblemNote } from '../components/LoadState.tsx';
import { queryString } from '../components/scope-query.ts';
import { t } from '../i18n/locale.ts';
import { services } from '../services.ts';

/** Where to go after signing in: a path inside the console only, never another site. */
function safeReturnPath(value: string | undefined): string {
  return value !== undefined && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

/** Sign-in: locally, a role and a division for a local token; in AWS, the identity provider. */
export const SignInPage = defineComponent({
  name: 'SignInPage',
  setup() {
    const route = useRoute();
    const router = useRouter();
    const { config, divisions } = services();
    const role = ref<Role>('admin');
    const division = ref(divisions.root.code);
    const submit = useAction(async () => {
      if (config.auth.mode === 'local') {
        await signInLocally(role.value, division.value);
        await router.replace(safeReturnPath(queryString(route.query['next'])));
      } else {
        await signInWithOidc(config.auth);
      }
    });

    return () => {
      const m = t.value.signIn;
      return (
        <section class="page page--narrow" aria-labelledby="page-title">
          <h1 id="page-title">{m.title}</h1>
          <form
            class="form form--stacked panel"
            onSubmit={(e: Event) => {
              e.preventDefault();
              void submit.run();
            }}
          >
            {config.auth.mode === 'local' ? (
              <>
                <p>{m.local}</p>
                <fieldset class="picker">
                  <legend>{m.role}</legend>
                  {(['admin', 'viewer'] as const).map((r) => (
                    <label key={r} class="radio">
                      <input type="radio" name="role" value={r} checked={role.value === r} onChange={() => (role.value = r)} />
                      {t.value.roles[r]}
                    </label>
                  ))}
                </fieldset>
                <label class="picker">
                  <span class="picker__label">{m.division}</span>
                  <select name="division" value={division.value} onChange={(e: Event) => (division.value = (e.target as HTMLSelectElement).value)}>
                    {divisions.within(divisions.root.code).map((node, index) => (
                      <option key={node.code} value={node.code}>
                        {index === 0 ? divisions.name(node.code) : `\u3000${divisions.name(node.code)}`}
                      </option>
                    ))}
                  </select>
                </label>
                <button type="submit" class="button button--primary" disabled={submit.busy.value}>
                  {m.submit}
                </button>
              </>
            ) : (
              <button type="submit" class="button button--primary" disabled={submit.busy.value}>
                {m.oidc}
              </button>
            )}
          </form>
          <ProblemNote problem={submit.problem.value} prefix={m.failed} />
        </section>
      );
    };
  },
});

/** The identity provider's redirect back (`/auth/callback`): completes the code exchange. */
export const SignInCallbackPage = defineComponent({
  name: 'SignInCallbackPage',
  setup() {
    const router = useRouter();
    const problem = ref('');
    onMounted(async () => {
      const { config } = services();
      try {
        if (config.auth.mode !== 'oidc') throw new Error('this deployment does not sign in with OpenID Connect');
        await completeOidcSignIn(config.auth);
        await router.replace('/');
      } catch (error) {
        problem.value = describeError(error);
      }
    });
    return () => (
      <section class="page page--narrow" aria-labelledby="page-title">
        <h1 id="page-title">{t.value.signIn.title}</h1>
        {problem.value === '' ? (
          <p role="status">{t.value.common.loading}</p>
        ) : (
          <p class="state state--error" role="alert">
            {t.value.signIn.failed}
            {problem.value}
          </p>
        )}
      </section>
    );
  },
});
