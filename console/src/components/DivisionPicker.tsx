import { defineComponent } from 'vue';
import type { PropType } from 'vue';
import { session } from '../auth/session.ts';
import { t } from '../i18n/locale.ts';
import { services } from '../services.ts';

/**
 * The divisions the caller may see: their own and those below it. A caller
 * with a single division (a township) gets its name, not a control, so no
 * choice can lead to a 403.
 */
export const DivisionPicker = defineComponent({
  name: 'DivisionPicker',
  props: {
    modelValue: { type: String, required: true },
    'onUpdate:modelValue': { type: Function as PropType<(value: string) => void>, required: true },
  },
  setup(props) {
    return () => {
      const { divisions } = services();
      const options = divisions.within(session.value?.division ?? '');
      if (options.length <= 1) {
        return (
          <div class="picker picker--static">
            <span class="picker__label">{t.value.division.label}</span>
            <strong data-testid="division-name">{divisions.name(props.modelValue)}</strong>
          </div>
        );
      }
      return (
        <label class="picker">
          <span class="picker__label">{t.value.division.label}</span>
          <select value={props.modelValue} onChange={(e: Event) => props['onUpdate:modelValue']((e.target as HTMLSelectElement).value)}>
            {options.map((node, index) => (
              <option key={node.code} value={node.code}>
                {index === 0 ? divisions.name(node.code) : `\u3000${divisions.name(node.code)}`}
              </option>
            ))}
          </select>
        </label>
      );
    };
  },
});

