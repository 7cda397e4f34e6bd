import { defineComponent } from 'vue';
import type { PropType } from 'vue';
import type { Unit } from '../api/shapes.ts';
import { formatFigure, t } from '../i18n/locale.ts';

/**
 * A figure's published value, target and progress towards it, as a
 * definition list; progress also as a bar (capped at 100 % wide, the
 * number says how far past the target it is).
 */
export const FigureFacts = defineComponent({
  name: 'FigureFacts',
  props: {
    unit: { type: String as PropType<Unit>, required: true },
    /** The published value; undefined while unknown or when nothing is published. */
    published: { type: [Number, null] as PropType<number | null | undefined>, default: undefined },
    target: { type: [Number, null] as PropType<number | null | undefined>, default: undefined },
    /** Percent of the target reached. */
    progress: { type: [Number, null] as PropType<number | null | undefined>, default: undefined },
    /** Label of the published figure: the edition's title where known. */
    publishedLabel: { type: String, default: undefined },
  },
  setup(props) {
    const shown = (value: number | null | undefined, unit: Unit): string => (value === undefined || value === null ? t.value.common.none : formatFigure(value, unit));
    return () => {
      const m = t.value.overview;
      const progress = props.progress ?? undefined;
      return (
        <dl class="card__meta">
          <div>
            <dt>{props.publishedLabel ?? m.published}</dt>
            <dd data-testid="published">{shown(props.published, props.unit)}</dd>
          </div>
          <div>
            <dt>{m.target}</dt>
            <dd data-testid="target">{shown(props.target, props.unit)}</dd>
          </div>
          <div>
            <dt>{m.progress}</dt>
            <dd data-testid="progress">
              {shown(progress, 'percent')}
              {progress === undefined ? null : (
                <span class="progress" aria-hidden="true">
                  <span class="progress__bar" style={{ width: `${Math.max(0, Math.min(100, progress))}%` }} />
                </span>
              )}
            </dd>
          </div>
        </dl>
      );
    };
  },
});
