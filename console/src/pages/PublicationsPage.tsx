import { computed, defineComponent, ref } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { AnalyticsRow, Indicator, Revision } from '../api/shapes.ts';
import { rebuildCorrectionType } from '../api/shapes.ts';
import { isRootAdmin, session } from '../auth/session.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { figureRevisions } from '../components/published.ts';
import { LoadState, ProblemNote } from '../components/LoadState.tsx';
import { useAction, useLoad } from '../components/load.ts';
import { PeriodPicker } from '../components/PeriodPicker.tsx';
import { queryString } from '../components/scope-query.ts';
import { formatFigure, formatSigned, formatTimestamp, locale, t } from '../i18n/locale.ts';
import type { PeriodChoice } from '../periods.ts';
import { defaultPeriod, periodLabel, periodText } from '../periods.ts';
import { RouteUnavailableError } from '../errors.ts';
import { services } from '../services.ts';

/** Editions, the figures of one edition, its revisions after late events, and publishing (root admin). */
export const PublicationsPage = defineComponent({
  name: 'PublicationsPage',
  setup() {
    const route = useRoute();
    const router = useRouter();
    const rootAdmin = isRootAdmin(services().divisions.root.code);
    const selected = computed(() => queryString(route.query['edition']));
    const editions = useLoad(async () => [...(await services().api.publications())].sort((a, b) => b.publishedAt.localeCompare(a.publishedAt)));
    const catalog = useLoad(() => services().catalog());
    const figures = ref<AnalyticsRow[]>([]);
    const figuresNext = ref<string>();
    const scope = computed(() => session.value?.division ?? '');

    const figuresPage = useLoad(
      async () => {
        figures.value = [];
        figuresNext.value = undefined;
        if (selected.value === undefined) return undefined;
        await moreFigures();
        return true;
      },
      [selected],
    );
    // Revisions with their events where the server lists them; otherwise the figures that moved, worked out here.
    const revisions = useLoad(async (): Promise<{ rows: readonly Revision[]; derived: boolean }> => {
      const id = selected.value;
      if (id === undefined) return { rows: [], derived: false };
      try {
        return { rows: await services().api.revisions(id), derived: false };
      } catch (error) {
        if (!(error instanceof RouteUnavailableError)) throw error;
        const edition = (await services().api.publications()).find((e) => e.id === id);
        return { rows: edition === undefined ? [] : await figureRevisions(edition, scope.value), derived: true };
      }
    }, [selected]);

    async function moreFigures(): Promise<void> {
      if (selected.value === undefined) return;
      const page = await services().api.publicationFigures(selected.value, figuresNext.value);
      // A caller sees the figures of its own subtree only.
      figures.value = [...figures.value, ...page.items.filter((row) => row.division === undefined || services().divisions.isWithin(row.division, scope.value))];
      figuresNext.value = page.next;
    }

    const publishPeriod = ref<PeriodChoice>(defaultPeriod());
    const publishTitle = ref('');
    const asking = ref(false);
    const publish = useAction(async () => {
      const edition = await services().api.publish({ period: periodText(publishPeriod.value), title: publishTitle.value.trim() });
      await editions.reload();
      await router.replace({ query: { edition: edition.id } });
    });

    const unitOf = (id: string): Indicator['unit'] => catalog.data.value?.find((i) => i.id === id)?.unit ?? 'count';
    const nameOf = (id: string): string => catalog.data.value?.find((i) => i.id === id)?.name[locale.value] ?? id;

    return () => (
      <section class="page" aria-labelledby="page-title">
        <header class="page__header">
          <h1 id="page-title">{t.value.publications.title}</h1>
        </header>
        <LoadState status={editions.status.value} problem={editions.problem.value} onRetry={() => void editions.reload()} />
        {editions.status.value !== 'ready' ? null : (
          <section class="panel" aria-labelledby="editions-title">
            <h2 id="editions-title">{t.value.publications.list}</h2>
            {(editions.data.value ?? []).length === 0 ? (
              <p class="state state--muted">{t.value.publications.empty}</p>
            ) : (
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">{t.value.publications.name}</th>
                    <th scope="col">{t.value.publications.period}</th>
                    <th scope="col">{t.value.publications.publishedAt}</th>
                    <th scope="col">{t.value.publications.digest}</th>
                    <th scope="col">
                      <span class="visually-hidden">{t.value.publications.open}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {(editions.data.value ?? []).map((edition) => (
                    <tr key={edition.id} aria-current={edition.id === selected.value ? 'true' : undefined}>
                      <th scope="row">{edition.title}</th>
                      <td>{periodLabel(edition.period)}</td>
                      <td>{formatTimestamp(edition.publishedAt)}</td>
                      <td>
                        <code class="digest">{edition.digest ?? t.value.common.none}</code>
                      </td>
                      <td>
                        <button type="button" class="button button--small" onClick={() => void router.replace({ query: { edition: edition.id } })}>
                          {t.value.publications.open}
                          <span class="visually-hidden">: {edition.title}</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        )}

        {selected.value === undefined ? null : (
          <>
            <section class="panel" aria-labelledby="revisions-title">
              <h2 id="revisions-title">{t.value.publications.revisions}</h2>
              <LoadState status={revisions.status.value} problem={revisions.problem.value} />
              {revisions.data.value?.derived === true ? <p class="page__lead">{t.value.publications.derivedRevisions}</p> : null}
              {revisions.status.value === 'ready' && (revisions.data.value?.rows ?? []).length === 0 ? <p class="state state--muted">{t.value.publications.noRevisions}</p> : null}
              {(revisions.data.value?.rows ?? []).length === 0 ? null : (
                <table class="table" data-testid="revisions">
                  <thead>
                    <tr>
                      <th scope="col">{t.value.explain.choose}</th>
                      <th scope="col">{t.value.division.label}</th>
                      <th scope="col" class="num">{t.value.publications.published}</th>
                      <th scope="col" class="num">{t.value.publications.live}</th>
                      <th scope="col" class="num">{t.value.publications.difference}</th>
                      <th scope="col">{t.value.explain.events}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(revisions.data.value?.rows ?? []).map((revision) => (
                      <tr key={`${revision.indicator}/${revision.division ?? revision.orgCode ?? ''}`}>
                        <th scope="row">{nameOf(revision.indicator)}</th>
                        <td>{services().divisions.name(revision.division ?? '')}</td>
                        <td class="num">{formatFigure(revision.published, unitOf(revision.indicator))}</td>
                        <td class="num">{formatFigure(revision.live, unitOf(revision.indicator))}</td>
                        <td class="num">{revision.difference === null ? t.value.common.none : formatSigned(revision.difference)}</td>
                        <td>
                          {revision.events.length === 0 ? (
                            t.value.common.none
                          ) : (
                            <ul class="plain-list">
                              {revision.events.map((event) => (
                                <li key={`${event.source}/${event.id}/${String(event['part'] ?? '')}/${String(event['division'] ?? '')}/${event.date}`}>
                                  <code>{event.type}</code>
                                  {event.type === rebuildCorrectionType ? <span class="muted"> · {t.value.explain.correction}</span> : null} {event.date}{' '}
                                  <code>{event.source}/{event.id}</code> ({formatSigned(event.effect)})
                                </li>
                              ))}
                            </ul>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section class="panel" aria-labelledby="figures-title">
              <h2 id="figures-title">{t.value.publications.figures}</h2>
              <LoadState status={figuresPage.status.value} problem={figuresPage.problem.value} />
              {figures.value.length === 0 ? null : (
                <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">{t.value.explain.choose}</th>
                      <th scope="col">{t.value.division.label}</th>
                      <th scope="col">{t.value.publications.period}</th>
                      <th scope="col" class="num">{t.value.indicator.value}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {figures.value.map((row) => (
                      <tr key={`${row.indicator}/${row.division ?? row.orgCode ?? ''}/${row.period}`}>
                        <th scope="row">{nameOf(row.indicator)}</th>
                        <td>{services().divisions.name(row.division ?? '')}</td>
                        <td>{periodLabel(row.period)}</td>
                        <td class="num">{formatFigure(row.value, unitOf(row.indicator))}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {figuresNext.value === undefined ? null : (
                <button type="button" class="button" onClick={() => void moreFigures()}>
                  {t.value.common.loadMore}
                </button>
              )}
            </section>
          </>
        )}

        {rootAdmin.value && editions.status.value === 'ready' ? (
          <section class="panel" aria-labelledby="publish-title">
            <h2 id="publish-title">{t.value.publications.publish}</h2>
            <form
              class="form"
              onSubmit={(e: Event) => {
                e.preventDefault();
                asking.value = true;
              }}
            >
              <PeriodPicker modelValue={publishPeriod.value} onUpdate:modelValue={(v: PeriodChoice) => (publishPeriod.value = v)} />
              <label class="picker">
                <span class="picker__label">{t.value.publications.name}</span>
                <input required maxlength={200} value={publishTitle.value} onInput={(e: Event) => (publishTitle.value = (e.target as HTMLInputElement).value)} />
              </label>
              <button type="submit" class="button button--primary">
                {t.value.publications.publish}
              </button>
            </form>
            <ProblemNote problem={publish.problem.value} />
            {asking.value ? (
              <ConfirmDialog
                message={t.value.publications.publishConfirm(periodLabel(periodText(publishPeriod.value)))}
                confirmLabel={t.value.publications.publish}
                onAnswer={(confirmed: boolean) => {
                  asking.value = false;
                  if (confirmed) void publish.run();
                }}
              />
            ) : null}
          </section>
        ) : null}
      </section>
    );
  },
});
