import { defineComponent } from 'vue';
import type { PropType } from 'vue';
import { t } from '../i18n/locale.ts';
import type { LoadStatus } from './load.ts';

/** What a view shows while loading, after a failure, or when the server lacks the route. */
export const LoadState = defineComponent({
  name: 'LoadState',
  props: {
    status: { type: String as PropType<LoadStatus>, required: true },
    problem: { type: String, default: '' },
    onRetry: { type: Function as PropType<() => void>, default: undefined },
  },
  setup(props) {
    return () => {
      if (props.status === 'loading') return <p class="state" role="status">{t.value.common.loading}</p>;
      if (props.status === 'unavailable') return <p class="state state--muted" role="status">{t.value.common.notAvailable}</p>;
      if (props.status === 'failed')
        return (
          <div class="state state--error" role="alert">
            <span>
              {t.value.common.failed}
              {props.problem}
            </span>
            {props.onRetry === undefined ? null : (
              <button type="button" class="button button--small" onClick={props.onRetry}>
                {t.value.common.retry}
              </button>
            )}
          </div>
        );
      return null;
    };
  },
});

/** A failure the user should read: why an action or a download did not work. Nothing when `problem` is empty. */
export const ProblemNote = defineComponent({
  name: 'ProblemNote',
  props: {
    problem: { type: String, required: true },
    /** Said before the problem; the generic "could not load" by default. */
    prefix: { type: String, default: undefined },
  },
  setup(props) {
    return () =>
      props.problem === '' ? null : (
        <p class="state state--error" role="alert">
          {props.prefix ?? t.value.common.failed}
          {props.problem}
        </p>
      );
  },
});
