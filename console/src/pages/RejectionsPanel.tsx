import { computed, defineComponent, ref, shallowRef } from 'vue';
import type { Rejection, RejectionsPage } from '../api/shapes.ts';
import { EChart } from '../charts/EChart.tsx';
import type { ChartOption } from '../charts/echarts.ts';
import { accent } from '../charts/echarts.ts';
import { LoadState, ProblemNote } from '../components/LoadState.tsx';
import { useAction, useLoad } from '../components/load.ts';
import { formatCount, formatTimestamp, t } from '../i18n/locale.ts';
import { services } from '../services.ts';

const dayChoices = [1, 7, 30] as const;
const pageSize = 50;

/**
 * The rejected events of the last days: counts by reason (a bar chart and the
 * same figures as a table) and the list, newest first, a page at a time.
 * The API decides what the caller may see; outside the root division that is
 * nothing today, which the panel says plainly.
 */
export const RejectionsPanel = defineComponent({
  name: 'RejectionsPanel',
  setup() {
    const days = ref<number>(7);
    const reason = ref('');
    /** Rows of the pages after the first, loaded with "load more". */
    const more = shallowRef<Rejection[]>([]);
    const next = ref<string>();

    const first = useLoad<RejectionsPage>(async () => {
      more.value = [];
      const page = await services().api.rejections({ days: days.value, limit: pageSize, ...(reason.value === '' ? {} : { reason: reason.value }) });
      next.value = page.next ?? undefined;
      return page;
    }, [days, reason]);

    const loadMore = useAction(async () => {
      if (next.value === undefined) return;
      const page = await services().api.rejections({ days: days.value, limit: pageSize, ...(reason.value === '' ? {} : { reason: reason.value }) }, next.value);
      more.value = [...more.value, ...page.rejections];
      next.value = page.next ?? undefined;
    });

    const reasonName = (code: string): string => t.value.events.reasons[code] ?? code;
    const listed = computed(() => [...(first.data.value?.rejections ?? []), ...more.value]);

    const chartOption = (counts: RejectionsPage['byReason']): ChartOption => {
      // Largest at the top: a horizontal bar chart lists categories bottom-up.
      const ordered = [...counts].reverse();
      return {
        animation: false,
        grid: { left: 180, right: 24, top: 8, bottom: 24 },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: ordered.map((c) => reasonName(c.reason)) },
        series: [{ type: 'bar', data: ordered.map((c) => c.count), color: accent, barMaxWidth: 18 }],
      };
    };

    return () => {
      const m = t.value.events;
      const page = first.data.value;
      return (
        <section class="panel" aria-labelledby="rejections-title" data-testid="rejections" data-state={first.status.value}>
          <div class="panel__header">
            <h2 id="rejections-title">{m.rejected}</h2>
            <label class="picker">
              <span class="picker__label">{m.days}</span>
              <select name="days" value={String(days.value)} onChange={(e: Event) => (days.value = Number((e.target as HTMLSelectElement).value))}>
                {dayChoices.map((n) => (
                  <option value={String(n)}>{m.lastDays(n)}</option>
                ))}
              </select>
            </label>
            <label class="picker">
              <span class="picker__label">{m.reasonFilter}</span>
              <select name="reason" value={reason.value} onChange={(e: Event) => (reason.value = (e.target as HTMLSelectElement).value)}>
                <option value="">{m.allReasons}</option>
                {Object.keys(m.reasons).map((code) => (
                  <option value={code}>{reasonName(code)}</option>
                ))}
              </select>
            </label>
          </div>
          <p class="page__lead">{m.rejectedHelp}</p>
          <LoadState status={first.status.value} problem={first.problem.value} onRetry={() => void first.reload()} />
          {page === undefined ? null : (
            <>
              <p data-testid="rejections-window">
                {m.window(page.from, page.to, page.total)}
                {page.truncated ? ` ${m.truncatedNote}` : ''}
              </p>
              {page.total === 0 ? (
                <p class="state state--muted">{m.noRejections}</p>
              ) : (
                <>
                  <h3>{m.byReason}</h3>
                  <EChart label={`${m.rejected}: ${m.byReason}`} option={chartOption(page.byReason)} size="medium" />
                  <table class="table" data-testid="rejections-by-reason">
                    <caption class="visually-hidden">{m.byReason}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{m.reason}</th>
                        <th scope="col" class="num">
                          {m.count}
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {page.byReason.map((c) => (
                        <tr>
                          <th scope="row">
                            {reasonName(c.reason)} <code>{c.reason}</code>
                          </th>
                          <td class="num">{formatCount(c.count)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <table class="table" data-testid="rejections-list">
                    <caption class="visually-hidden">{m.rejected}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{m.processedAt}</th>
                        <th scope="col">{m.reason}</th>
                        <th scope="col">{m.source}</th>
                        <th scope="col">{m.id}</th>
                        <th scope="col">{m.type}</th>
                        <th scope="col">{m.detail}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {listed.value.map((r) => (
                        <tr>
                          <td>{formatTimestamp(r.processedAt)}</td>
                          <td>{reasonName(r.reason)}</td>
                          <td>
                            <code>{r.source}</code>
                          </td>
                          <td>
                            <code>{r.id}</code>
                          </td>
                          <td>
                            <code>{r.type ?? t.value.common.none}</code>
                          </td>
                          <td>{r.detail}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  {next.value === undefined ? null : (
                    <button type="button" class="button" disabled={loadMore.busy.value} onClick={() => void loadMore.run()}>
                      {t.value.common.loadMore}
                    </button>
                  )}
                  <ProblemNote problem={loadMore.problem.value} />
                </>
              )}
            </>
          )}
        </section>
      );
    };
  },
});
