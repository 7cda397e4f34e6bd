import { computed, defineComponent, ref } from 'vue';
import { RouterLink, useRoute, useRouter } from 'vue-router';
import type { AnalyticsQuery } from '../api/client.ts';
import type { AnalyticsRow, Indicator } from '../api/shapes.ts';
import { EChart } from '../charts/EChart.tsx';
import type { ChartOption } from '../charts/echarts.ts';
import { accent } from '../charts/echarts.ts';
import { DivisionPicker } from '../components/DivisionPicker.tsx';
import { FigureFacts } from '../components/FigureFacts.tsx';
import { latestEdition } from '../components/published.ts';
import { saveBlob } from '../components/download.ts';
import { LoadState, ProblemNote } from '../components/LoadState.tsx';
import { useAction, useLoad } from '../components/load.ts';
import { PeriodPicker } from '../components/PeriodPicker.tsx';
import { queryString, useScopeQuery } from '../components/scope-query.ts';
import { formatCount, formatFigure, locale, t } from '../i18n/locale.ts';
import { monthsOf, periodLabel, selectableYears } from '../periods.ts';
import { services } from '../services.ts';

type SeriesMode = 'months' | 'years';

/** Largest value first; empty ratios last. */
function byValueDescending(a: AnalyticsRow, b: AnalyticsRow): number {
  return (b.value ?? Number.NEGATIVE_INFINITY) - (a.value ?? Number.NEGATIVE_INFINITY);
}

/** One indicator: its time series, and its breakdown by the divisions below the chosen one. */
export const IndicatorPage = defineComponent({
  name: 'IndicatorPage',
  setup() {
    const route = useRoute();
    const router = useRouter();
    const scope = useScopeQuery();
    const id = computed(() => String(route.params['id'] ?? ''));
    const mode = computed<SeriesMode>(() => (queryString(route.query['series']) === 'years' ? 'years' : 'months'));

    const indicator = useLoad<Indicator | undefined>(async () => (await services().catalog()).find((i) => i.id === id.value), [id]);
    const seriesQuery = computed<AnalyticsQuery>(() => ({
      indicators: [id.value],
      periods: mode.value === 'years' ? selectableYears().map(String) : monthsOf(scope.period.value.year),
      division: scope.division.value,
    }));
    const breakdownQuery = computed<AnalyticsQuery>(() => ({
      indicators: [id.value],
      periods: [scope.periodText.value],
      division: scope.division.value,
      byChildren: true,
    }));
    const hasChildren = computed(() => services().divisions.children(scope.division.value).length > 0);

    const figure = useLoad(() => services().api.figure(id.value, { division: scope.division.value, period: scope.periodText.value }), [id, scope.division, scope.periodText]);
    const published = useLoad(async () => {
      const edition = await latestEdition(scope.periodText.value);
      if (edition === undefined) return undefined;
      const frozen = await services().api.figure(id.value, { division: scope.division.value, period: scope.periodText.value, edition: edition.id });
      return { title: edition.title, value: frozen.value };
    }, [id, scope.division, scope.periodText]);
    const series = useLoad(() => services().api.analytics(seriesQuery.value), [seriesQuery]);
    const breakdown = useLoad(
      async () => (hasChildren.value ? [...(await services().api.analytics(breakdownQuery.value))].sort(byValueDescending) : []),
      [breakdownQuery],
    );

    const download = useAction(async (query: AnalyticsQuery, name: string) => {
      saveBlob(await services().api.analyticsCsv(query), name);
    });

    const seriesOption = (unit: Indicator['unit'], rows: readonly AnalyticsRow[]): ChartOption => ({
      animation: false,
      grid: { left: 64, right: 16, top: 16, bottom: 32 },
      tooltip: { trigger: 'axis', valueFormatter: (v) => formatFigure(typeof v === 'number' ? v : null, unit) },
      xAxis: { type: 'category', data: rows.map((r) => periodLabel(r.period)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatFigure(v, unit) } },
      series: [{ type: 'line', data: rows.map((r) => r.value), color: accent, symbolSize: 6 }],
    });

    const breakdownOption = (unit: Indicator['unit'], rows: readonly AnalyticsRow[]): ChartOption => {
      // Largest at the top: a horizontal bar chart lists categories bottom-up.
      const ordered = [...rows].reverse();
      return {
        animation: false,
        grid: { left: 120, right: 24, top: 8, bottom: 24 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => formatFigure(typeof v === 'number' ? v : null, unit) },
        xAxis: { type: 'value', axisLabel: { formatter: (v: number) => formatFigure(v, unit) } },
        yAxis: { type: 'category', data: ordered.map((r) => services().divisions.name(r.division ?? '')) },
        series: [{ type: 'bar', data: ordered.map((r) => r.value), color: accent, barMaxWidth: 14 }],
      };
    };

    return () => {
      const definition = indicator.data.value;
      if (definition === undefined) return <LoadState status={indicator.status.value === 'ready' ? 'failed' : indicator.status.value} problem={`no indicator ${id.value}`} />;
      const name = definition.name[locale.value];
      const unit = definition.unit;
      const ratio = definition.kind === 'ratio';
      const divisionName = services().divisions.name(scope.division.value);
      const rows = breakdown.data.value ?? [];
      const own = figure.data.value;
      return (
        <section class="page" aria-labelledby="page-title" data-state={breakdown.status.value}>
          <header class="page__header">
            <h1 id="page-title">{name}</h1>
            <p class="page__lead">
              {t.value.indicator.kind[definition.kind]} · {definition.description}
            </p>
            <p class="headline" data-testid="figure">
              {divisionName} · {periodLabel(scope.periodText.value)}: <strong>{own === undefined ? t.value.common.loading : formatFigure(own.value, unit)}</strong>
              {ratio && own !== undefined ? ` (${formatCount(own.numerator)} / ${formatCount(own.denominator)})` : null}
            </p>
            <FigureFacts
              unit={unit}
              published={published.data.value?.value}
              publishedLabel={published.data.value === undefined ? undefined : `${t.value.overview.published} · ${published.data.value.title}`}
              target={own?.target}
              progress={own?.progress}
            />
            <div class="controls">
              <DivisionPicker modelValue={scope.division.value} onUpdate:modelValue={scope.setDivision} />
              <PeriodPicker modelValue={scope.period.value} onUpdate:modelValue={scope.setPeriod} />
              <RouterLink class="button" to={{ path: '/explain', query: { ...scope.query.value, indicator: id.value } }}>
                {t.value.explain.show}
              </RouterLink>
            </div>
          </header>

          <section class="panel" aria-labelledby="series-title">
            <div class="panel__header">
              <h2 id="series-title">{t.value.indicator.series}</h2>
              <label class="picker">
                <span class="picker__label">{t.value.indicator.seriesMode}</span>
                <select value={mode.value} onChange={(e: Event) => void router.replace({ query: { ...route.query, series: (e.target as HTMLSelectElement).value } })}>
                  <option value="months">{t.value.indicator.monthsOf} ({scope.period.value.year})</option>
                  <option value="years">{t.value.indicator.years}</option>
                </select>
              </label>
              <button type="button" class="button" onClick={() => void download.run(seriesQuery.value, `${id.value}-${scope.division.value}-series.csv`)}>
                {t.value.indicator.downloadSeries}
              </button>
            </div>
            <LoadState status={series.status.value} problem={series.problem.value} />
            {series.data.value === undefined ? null : (
              <EChart label={`${name}: ${t.value.indicator.series}`} option={seriesOption(unit, series.data.value)} />
            )}
          </section>

          <section class="panel" aria-labelledby="breakdown-title">
            <div class="panel__header">
              <h2 id="breakdown-title">
                {t.value.indicator.breakdown} · {periodLabel(scope.periodText.value)}
              </h2>
              {hasChildren.value ? (
                <button
                  type="button"
                  class="button"
                  data-testid="download-table"
                  onClick={() => void download.run(breakdownQuery.value, `${id.value}-${scope.division.value}-${scope.periodText.value}.csv`)}
                >
                  {t.value.indicator.downloadTable}
                </button>
              ) : null}
            </div>
            <ProblemNote problem={download.problem.value} />
            {!hasChildren.value ? <p class="state state--muted">{t.value.indicator.noChildren}</p> : null}
            <LoadState status={breakdown.status.value} problem={breakdown.problem.value} onRetry={() => void breakdown.reload()} />
            {hasChildren.value && rows.length > 0 ? (
              <div class="breakdown">
                <EChart label={`${name}: ${t.value.indicator.breakdown}`} option={breakdownOption(unit, rows)} />
                <table class="table" data-testid="breakdown-table">
                  <caption class="visually-hidden">
                    {name} · {t.value.indicator.breakdown}
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">{t.value.indicator.rank}</th>
                      <th scope="col">{t.value.indicator.division}</th>
                      <th scope="col" class="num">
                        {t.value.indicator.value}
                      </th>
                      {ratio ? <th scope="col" class="num">{t.value.indicator.numerator}</th> : null}
                      {ratio ? <th scope="col" class="num">{t.value.indicator.denominator}</th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((row, index) => (
                      <tr key={row.division}>
                        <td>{index + 1}</td>
                        <th scope="row">{services().divisions.name(row.division ?? '')}</th>
                        <td class="num">{formatFigure(row.value, unit)}</td>
                        {ratio ? <td class="num">{formatCount(row.numerator)}</td> : null}
                        {ratio ? <td class="num">{formatCount(row.denominator)}</td> : null}
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr data-testid="breakdown-footer">
                      <td />
                      <th scope="row">{t.value.indicator.footer(divisionName)}</th>
                      <td class="num">{own === undefined ? t.value.common.loading : formatFigure(own.value, unit)}</td>
                      {ratio ? <td class="num">{formatCount(own?.numerator)}</td> : null}
                      {ratio ? <td class="num">{formatCount(own?.denominator)}</td> : null}
                    </tr>
                  </tfoot>
                </table>
              </div>
            ) : null}
          </section>
        </section>
      );
    };
  },
});
