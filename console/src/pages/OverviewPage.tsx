import { computed, defineComponent, onUpdated } from 'vue';
import { RouterLink } from 'vue-router';
import type { AnalyticsRow, Indicator, Pillar } from '../api/shapes.ts';
import { pillars } from '../api/shapes.ts';
import { EChart } from '../charts/EChart.tsx';
import type { ChartOption } from '../charts/echarts.ts';
import { accent } from '../charts/echarts.ts';
import { DivisionPicker } from '../components/DivisionPicker.tsx';
import { FigureFacts } from '../components/FigureFacts.tsx';
import { LoadState } from '../components/LoadState.tsx';
import { settled, useLoad } from '../components/load.ts';
import { PeriodPicker } from '../components/PeriodPicker.tsx';
import { publishedFigures } from '../components/published.ts';
import { useScopeQuery } from '../components/scope-query.ts';
import { formatCompact, formatCount, formatFigure, locale, t } from '../i18n/locale.ts';
import { periodLabel, twelveMonthsTo } from '../periods.ts';
import { services } from '../services.ts';

interface OverviewData {
  readonly catalog: readonly Indicator[];
  readonly figures: ReadonlyMap<string, AnalyticsRow>;
}

interface Sparklines {
  readonly months: readonly string[];
  /** Indicator → its value in each of `months`. */
  readonly series: ReadonlyMap<string, readonly (number | null)[]>;
}

function sparkline(values: readonly (number | null)[], months: readonly string[]): ChartOption {
  return {
    animation: false,
    grid: { left: 2, right: 2, top: 4, bottom: 2 },
    xAxis: { type: 'category', show: false, data: [...months] },
    yAxis: { type: 'value', show: false, scale: true },
    tooltip: { trigger: 'axis', confine: true },
    series: [{ type: 'line', data: [...values], symbol: 'none', smooth: true, lineStyle: { width: 1.5, color: accent }, areaStyle: { color: 'rgba(179,38,30,0.08)' } }],
  };
}

/** The three pillars with every indicator for one division and period. */
export const OverviewPage = defineComponent({
  name: 'OverviewPage',
  setup() {
    const scope = useScopeQuery();
    // The figures first; the sparklines and published figures are asked for only once the
    // figures are in, so the figures' request has the server to itself (measured: 1 s → 0.6 s).
    const loaded = useLoad<OverviewData>(async () => {
      const catalog = await services().catalog();
      const current = await services().api.analytics({ indicators: catalog.map((i) => i.id), periods: [scope.periodText.value], division: scope.division.value });
      return { catalog, figures: new Map(current.map((row) => [row.indicator, row])) };
    }, [scope.division, scope.periodText]);
    const sparklines = useLoad<Sparklines>(async () => {
      await settled(loaded);
      const catalog = await services().catalog();
      const months = twelveMonthsTo(scope.period.value);
      const monthly = await services().api.analytics({ indicators: catalog.map((i) => i.id), periods: months, division: scope.division.value });
      const series = new Map<string, (number | null)[]>();
      for (const row of monthly) {
        const values = series.get(row.indicator) ?? months.map(() => null);
        values[months.indexOf(row.period)] = row.value;
        series.set(row.indicator, values);
      }
      return { months, series };
    }, [scope.division, scope.periodText]);
    const published = useLoad(async () => {
      await settled(loaded);
      return publishedFigures(scope.division.value, scope.periodText.value);
    }, [scope.division, scope.periodText]);

    onUpdated(() => {
      // Measured by test/bench/console-size.ts: figures shown, then sparklines drawn.
      if (loaded.status.value === 'ready' && performance.getEntriesByName('overview-ready').length === 0) performance.mark('overview-ready');
      if (sparklines.status.value === 'ready' && performance.getEntriesByName('overview-sparklines').length === 0) performance.mark('overview-sparklines');
    });

    const byPillar = computed(() => {
      const groups = new Map<Pillar, Indicator[]>(pillars.map((p) => [p, []]));
      for (const indicator of loaded.data.value?.catalog ?? []) groups.get(indicator.pillar)?.push(indicator);
      return groups;
    });

    const card = (indicator: Indicator, data: OverviewData) => {
      const row = data.figures.get(indicator.id);
      const name = indicator.name[locale.value];
      const compact = formatCompact(row?.value, indicator.unit);
      const publishedValue = published.status.value === 'ready' ? published.data.value?.get(indicator.id) : undefined;
      const link = { query: scope.query.value };
      const lines = sparklines.data.value;
      return (
        <article class="card" key={indicator.id} data-indicator={indicator.id} aria-labelledby={`card-${indicator.id}`}>
          <h3 id={`card-${indicator.id}`} class="card__title">
            <RouterLink to={{ path: `/indicators/${indicator.id}`, ...link }}>{name}</RouterLink>
          </h3>
          <p class="card__value" data-testid="value">
            {formatFigure(row?.value, indicator.unit)}
            {compact === undefined ? null : <span class="card__compact">≈ {compact}</span>}
          </p>
          {indicator.kind === 'ratio' ? (
            <p class="card__parts" data-testid="parts">
              {formatCount(row?.numerator)} / {formatCount(row?.denominator)}
            </p>
          ) : null}
          <FigureFacts unit={indicator.unit} published={publishedValue} target={row?.target} progress={row?.progress} />
          {lines === undefined ? (
            <div class="chart chart--spark" aria-hidden="true" />
          ) : (
            <EChart size="spark" label={t.value.overview.sparkline(name)} option={sparkline(lines.series.get(indicator.id) ?? [], lines.months)} />
          )}
          <RouterLink class="card__explain" to={{ path: '/explain', query: { ...scope.query.value, indicator: indicator.id } }}>
            {t.value.overview.explain}
            <span class="visually-hidden">: {name}</span>
          </RouterLink>
        </article>
      );
    };

    return () => {
      const data = loaded.data.value;
      return (
        <section class="page" aria-labelledby="page-title" data-state={loaded.status.value}>
          <header class="page__header">
            <h1 id="page-title">
              {t.value.overview.title} · {services().divisions.name(scope.division.value)} · {periodLabel(scope.periodText.value)}
            </h1>
            <div class="controls">
              <DivisionPicker modelValue={scope.division.value} onUpdate:modelValue={scope.setDivision} />
              <PeriodPicker modelValue={scope.period.value} onUpdate:modelValue={scope.setPeriod} />
            </div>
          </header>
          <LoadState status={loaded.status.value} problem={loaded.problem.value} onRetry={() => void loaded.reload()} />
          {data === undefined
            ? null
            : pillars.map((pillar) => (
                <section class="pillar" key={pillar} aria-labelledby={`pillar-${pillar}`}>
                  <h2 id={`pillar-${pillar}`} class={`pillar__title pillar__title--${pillar}`}>
                    {t.value.pillars[pillar]}
                  </h2>
                  <div class="cards">{(byPillar.value.get(pillar) ?? []).map((indicator) => card(indicator, data))}</div>
                </section>
              ))}
        </section>
      );
    };
  },
});
