import { defineComponent, ref } from 'vue';
import type { RebuildResult, Reconciliation } from '../api/shapes.ts';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { useAction } from '../components/load.ts';
import { ProblemNote } from '../components/LoadState.tsx';
import { formatCount, t } from '../i18n/locale.ts';
import { services } from '../services.ts';

/** Reconcile (compare live counters with a recompute) and rebuild (after a confirmation). Root admins only. */
export const MaintenancePage = defineComponent({
  name: 'MaintenancePage',
  setup() {
    const reconciliation = ref<Reconciliation>();
    const rebuilt = ref<RebuildResult>();
    const asking = ref(false);
    const reconcile = useAction(async () => {
      reconciliation.value = await services().api.reconcile();
    });
    const rebuild = useAction(async () => {
      rebuilt.value = await services().api.rebuild();
    });
    const busy = (): boolean => reconcile.busy.value || rebuild.busy.value;

    return () => {
      const m = t.value.maintenance;
      const result = reconciliation.value;
      return (
        <section class="page" aria-labelledby="page-title">
          <header class="page__header">
            <h1 id="page-title">{m.title}</h1>
          </header>
          <ProblemNote problem={reconcile.problem.value || rebuild.problem.value} />
          <section class="panel" aria-labelledby="reconcile-title">
            <h2 id="reconcile-title">{m.reconcile}</h2>
            <p>{m.reconcileHelp}</p>
            <button type="button" class="button button--primary" disabled={busy()} onClick={() => void reconcile.run()}>
              {reconcile.busy.value ? t.value.common.loading : m.reconcile}
            </button>
            {result === undefined ? null : (
              <div data-testid="reconciliation" aria-live="polite">
                <p>{m.checked(result.checkedItems, result.events)}</p>
                {result.differenceCount === 0 ? (
                  <p class="check check--ok">{m.healthy}</p>
                ) : (
                  <>
                    <p class="check check--bad">
                      {m.differences(result.differenceCount)} {result.truncated ? m.truncated : null}
                    </p>
                    <table class="table">
                      <thead>
                        <tr>
                          <th scope="col">{m.key}</th>
                          <th scope="col">{m.metric}</th>
                          <th scope="col" class="num">{m.live}</th>
                          <th scope="col" class="num">{m.recomputed}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {result.differences.map((d) => (
                          <tr key={`${d.pk}/${d.sk}/${d.metric}`}>
                            <td>
                              <code>
                                {d.pk} {d.sk}
                              </code>
                              {d.sk.startsWith('X#') ? <span class="muted"> · {m.explainedEntries}</span> : null}
                            </td>
                            <td>
                              <code>{d.metric}</code>
                            </td>
                            <td class="num">{formatCount(d.live)}</td>
                            <td class="num">{formatCount(d.recomputed)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </>
                )}
              </div>
            )}
          </section>
          <section class="panel" aria-labelledby="rebuild-title">
            <h2 id="rebuild-title">{m.rebuild}</h2>
            <p>{m.rebuildHelp}</p>
            <button type="button" class="button button--danger" disabled={busy()} onClick={() => (asking.value = true)}>
              {rebuild.busy.value ? t.value.common.loading : m.rebuild}
            </button>
            {rebuilt.value === undefined ? null : (
              <p class="check check--ok" aria-live="polite">
                {m.rebuilt(rebuilt.value.skippedEvents, rebuilt.value.rebuilt.corrections, rebuilt.value.rebuilt.correctionId)}
              </p>
            )}
            {asking.value ? (
              <ConfirmDialog
                message={m.rebuildConfirm}
                confirmLabel={m.rebuild}
                onAnswer={(confirmed: boolean) => {
                  asking.value = false;
                  if (confirmed) void rebuild.run();
                }}
              />
            ) : null}
          </section>
        </section>
      );
    };
  },
});
