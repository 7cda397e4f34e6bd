import { computed, defineComponent, reactive } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { ContributingEvent, ExplainedPart, Explanation, Indicator } from '../api/shapes.ts';
import { rebuildCorrectionType } from '../api/shapes.ts';
import { DivisionPicker } from '../components/DivisionPicker.tsx';
import { LoadState, ProblemNote } from '../components/LoadState.tsx';
import { describeError, useLoad } from '../components/load.ts';
import { PeriodPicker } from '../components/PeriodPicker.tsx';
import { queryString, useScopeQuery } from '../components/scope-query.ts';
import { formatCount, formatFigure, formatSigned, locale, t } from '../i18n/locale.ts';
import { periodLabel } from '../periods.ts';
import { services } from '../services.ts';

interface PartEvents {
  items: ContributingEvent[];
  next?: string;
  loading: boolean;
  problem: string;
}

/** A figure, its parts (baseline plus the net change from events) and the events behind each part, paged. */
export const ExplainPage = defineComponent({
  name: 'ExplainPage',
  setup() {
    const route = useRoute();
    const router = useRouter();
    const scope = useScopeQuery();
    const catalog = useLoad(() => services().catalog());
    const indicatorId = computed(() => queryString(route.query['indicator']) ?? catalog.data.value?.[0]?.id ?? '');
    const events = reactive(new Map<string, PartEvents>());

    const explanation = useLoad<Explanation | undefined>(
      async () => {
        events.clear();
        if (indicatorId.value === '') return undefined;
        return services().api.explain(indicatorId.value, { division: scope.division.value, period: scope.periodText.value });
      },
      [indicatorId, scope.division, scope.periodText],
    );

    const loadEvents = async (part: string): Promise<void> => {
      if (!events.has(part)) events.set(part, { items: [], loading: false, problem: '' });
      // Read back through the reactive map, so changes to the entry re-render the view.
      const entry = events.get(part) as PartEvents;
      entry.loading = true;
      entry.problem = '';
      try {
        const page = await services().api.contributingEvents(
          indicatorId.value,
          { division: scope.division.value, period: scope.periodText.value, part },
          entry.next,
        );
        entry.items.push(...page.items);
        if (page.next === undefined) delete entry.next;
        else entry.next = page.next;
      } catch (error) {
        entry.problem = describeError(error);
      } finally {
        entry.loading = false;
      }
    };

    /** Every page of a part's events, one after another (bounded like any paged read of the client). */
    const loadAll = async (part: string): Promise<void> => {
      for (let pages = 0; pages < 200; pages += 1) {
        await loadEvents(part);
        const entry = events.get(part);
        if (entry === undefined || entry.problem !== '' || entry.next === undefined) return;
      }
    };

    const partRow = (part: ExplainedPart, unit: Indicator['unit']) => {
      const baseline = part.baseline?.value ?? 0;
      const adds = part.value === null || Math.abs(baseline + part.change - part.value) < 1e-6;
      const partUnit = part.part === 'value' ? unit : 'count';
      const listed = events.get(part.part);
      return (
        <section class="panel" key={part.part} aria-labelledby={`part-${part.part}`}>
          <h2 id={`part-${part.part}`}>
            {t.value.explain.part[part.part] ?? part.part}: {formatFigure(part.value, partUnit)}
          </h2>
          <dl class="facts">
            {part.metric === undefined ? null : (
              <div>
                <dt>{t.value.explain.metric}</dt>
                <dd>
                  <code>{part.metric}</code>
                </dd>
              </div>
            )}
            <div>
              <dt>{t.value.explain.baseline}</dt>
              <dd>
                {part.baseline === undefined || part.baseline === null ? t.value.common.none : formatCount(part.baseline.value)}
                {part.baseline?.asOf === undefined ? null : ` (${t.value.explain.baselineAsOf(part.baseline.asOf)})`}
                {part.baseline?.event === undefined || part.baseline.event === null ? null : (
                  <code class="event-ref">
                    {' '}
                    {part.baseline.event.source}/{part.baseline.event.id}
                  </code>
                )}
              </dd>
            </div>
            <div>
              <dt>{t.value.explain.change}</dt>
              <dd>{formatSigned(part.change)}</dd>
            </div>
            <div>
              <dt>{t.value.explain.eventCount}</dt>
              <dd>{formatCount(part.events)}</dd>
            </div>
          </dl>
          <p class={adds ? 'check check--ok' : 'check check--bad'} data-testid={`check-${part.part}`}>
            {t.value.explain.adds(adds)}
          </p>
          {listed !== undefined && listed.items.length > 0 ? (
            <table class="table" data-testid={`events-${part.part}`}>
              <caption>{t.value.explain.events}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.value.explain.date}</th>
                  <th scope="col">{t.value.explain.type}</th>
                  <th scope="col">{t.value.explain.source}</th>
                  <th scope="col">{t.value.explain.id}</th>
                  <th scope="col">{t.value.division.label}</th>
                  <th scope="col" class="num">
                    {t.value.explain.effect}
                  </th>
                </tr>
              </thead>
              <tbody>
                {listed.items.map((event) => (
                  // One row per event, place and day: an event counting in two townships has two rows.
                  <tr key={`${event.source}/${event.id}/${event.division ?? ''}/${event.orgCode ?? ''}/${event.date}`}>
                    <td>{event.date}</td>
                    <td>
                      <code>{event.type}</code>
                      {event.type === rebuildCorrectionType ? <span class="muted"> · {t.value.explain.correction}</span> : null}
                    </td>
                    <td>{event.source}</td>
                    <td>
                      <code>{event.id}</code>
                    </td>
                    <td>{event.division === undefined ? t.value.common.none : services().divisions.name(event.division)}</td>
                    <td class="num">{formatSigned(event.effect)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
          <ProblemNote problem={listed?.problem ?? ''} />
          {listed !== undefined && listed.next === undefined && !listed.loading && listed.problem === '' ? sumCheck(part, listed.items, partUnit) : null}
          {listed === undefined || listed.next !== undefined ? (
            <div class="controls">
              <button type="button" class="button" disabled={listed?.loading === true} onClick={() => void loadEvents(part.part)}>
                {listed === undefined ? `${t.value.explain.events} (${formatCount(part.events)})` : t.value.common.loadMore}
              </button>
              <button type="button" class="button" disabled={listed?.loading === true} onClick={() => void loadAll(part.part)}>
                {t.value.explain.loadAll}
              </button>
            </div>
          ) : null}
        </section>
      );
    };

    /** Once every page is listed: the listed effects add up to the part's value less its baseline. */
    const sumCheck = (part: ExplainedPart, items: readonly ContributingEvent[], unit: Indicator['unit']) => {
      const sum = items.reduce((total, event) => total + event.effect, 0);
      const expected = (part.value ?? 0) - (part.baseline?.value ?? 0);
      const adds = Math.abs(sum - expected) <= 1e-6 * Math.max(1, Math.abs(expected));
      return (
        <p class={adds ? 'check check--ok' : 'check check--bad'} data-testid={`sum-${part.part}`} data-sum={String(sum)}>
          {t.value.explain.listedSum(formatCount(items.length), formatFigure(sum, unit), formatFigure(expected, unit), adds)}
        </p>
      );
    };

    return () => {
      const indicators = catalog.data.value ?? [];
      const definition = indicators.find((i) => i.id === indicatorId.value);
      const explained = explanation.data.value;
      return (
        <section class="page" aria-labelledby="page-title" data-state={explanation.status.value}>
          <header class="page__header">
            <h1 id="page-title">{t.value.explain.title}</h1>
            <div class="controls">
              <label class="picker">
                <span class="picker__label">{t.value.explain.choose}</span>
                <select value={indicatorId.value} onChange={(e: Event) => void router.replace({ query: { ...route.query, indicator: (e.target as HTMLSelectElement).value } })}>
                  {indicators.map((i) => (
                    <option key={i.id} value={i.id}>
                      {i.name[locale.value]}
                    </option>
                  ))}
                </select>
              </label>
              <DivisionPicker modelValue={scope.division.value} onUpdate:modelValue={scope.setDivision} />
              <PeriodPicker modelValue={scope.period.value} onUpdate:modelValue={scope.setPeriod} />
            </div>
          </header>
          <LoadState status={explanation.status.value} problem={explanation.problem.value} onRetry={() => void explanation.reload()} />
          {explained === undefined || definition === undefined ? null : (
            <>
              <p class="headline" data-testid="figure">
                {definition.name[locale.value]} · {services().divisions.name(scope.division.value)} · {periodLabel(scope.periodText.value)}:{' '}
                <strong>{formatFigure(explained.value, definition.unit)}</strong>
              </p>
              {explained.parts.map((part) => partRow(part, definition.unit))}
            </>
          )}
        </section>
      );
    };
  },
});
