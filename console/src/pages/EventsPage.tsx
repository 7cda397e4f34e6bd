import { defineComponent, ref } from 'vue';
import type { EventOutcome } from '../api/shapes.ts';
import { ApiProblemError } from '../errors.ts';
import { describeError, useAction } from '../components/load.ts';
import { ProblemNote } from '../components/LoadState.tsx';
import { formatTimestamp, t } from '../i18n/locale.ts';
import { services } from '../services.ts';
import { RejectionsPanel } from './RejectionsPanel.tsx';

/** Looks up the processing outcome of one event by source and id; lists the recently rejected ones by reason. */
export const EventsPage = defineComponent({
  name: 'EventsPage',
  setup() {
    const source = ref('');
    const id = ref('');
    const outcome = ref<EventOutcome>();
    const lookUp = useAction(
      async () => {
        outcome.value = undefined;
        outcome.value = await services().api.eventOutcome(source.value.trim(), id.value.trim());
      },
      (error) => (error instanceof ApiProblemError && error.status === 404 ? t.value.events.notFound : describeError(error)),
    );

    return () => {
      const m = t.value.events;
      const found = outcome.value;
      return (
        <section class="page" aria-labelledby="page-title">
          <header class="page__header">
            <h1 id="page-title">{m.title}</h1>
          </header>
          <form
            class="form"
            onSubmit={(e: Event) => {
              e.preventDefault();
              void lookUp.run();
            }}
          >
            <label class="picker">
              <span class="picker__label">{m.source}</span>
              <input required maxlength={64} name="source" autocomplete="off" value={source.value} onInput={(e: Event) => (source.value = (e.target as HTMLInputElement).value)} />
            </label>
            <label class="picker">
              <span class="picker__label">{m.id}</span>
              <input required maxlength={128} name="id" autocomplete="off" value={id.value} onInput={(e: Event) => (id.value = (e.target as HTMLInputElement).value)} />
            </label>
            <button type="submit" class="button button--primary" disabled={lookUp.busy.value}>
              {m.lookup}
            </button>
          </form>
          <ProblemNote problem={lookUp.problem.value} prefix="" />
          {found === undefined ? null : (
            <dl class="facts panel" data-testid="outcome" aria-live="polite">
              <div>
                <dt>{m.outcome}</dt>
                <dd class={`outcome outcome--${found.outcome}`}>{m.outcomes[found.outcome] ?? found.outcome}</dd>
              </div>
              {found.reason === undefined ? null : (
                <div>
                  <dt>{m.reason}</dt>
                  <dd>
                    <code>{found.reason}</code>
                  </dd>
                </div>
              )}
              <div>
                <dt>{m.type}</dt>
                <dd>
                  <code>{found.type ?? t.value.common.none}</code>
                </dd>
              </div>
              <div>
                <dt>{m.receivedAt}</dt>
                <dd>{formatTimestamp(found.receivedAt)}</dd>
              </div>
              <div>
                <dt>{m.processedAt}</dt>
                <dd>{formatTimestamp(found.processedAt)}</dd>
              </div>
            </dl>
          )}
          <RejectionsPanel />
        </section>
      );
    };
  },
});
